import { describe, expect, it, vi } from 'vitest';

import { isAppUrl } from '../app-origin';
import { guardNavigation } from './navigation';
import type { TNavigationContents } from './navigation';

type TListener = (event: { preventDefault(): void; url?: string }, url?: string) => void;

function fakeContents() {
  const listeners = new Map<string, TListener>();
  const contents = { on: vi.fn((name: string, listener: TListener) => listeners.set(name, listener)) };
  return { contents: contents as unknown as TNavigationContents, listeners };
}

function attempt(listener: TListener | undefined, url: string, legacy = false): boolean {
  const event = { preventDefault: vi.fn(), ...(legacy ? {} : { url }) };
  listener?.(event, url);
  return event.preventDefault.mock.calls.length > 0;
}

describe('guardNavigation', () => {
  const origins = { devServer: null };
  const setup = () => {
    const { contents, listeners } = fakeContents();
    const blocked: string[] = [];
    guardNavigation(contents, { isAllowed: (url) => isAppUrl(url, origins), onBlocked: (url, kind) => blocked.push(`${kind} ${url}`) });
    return { listeners, blocked };
  };

  describe('when a page tries to navigate away from the app', () => {
    const targets = [
      'https://evil.example/phish',
      'http://127.0.0.1:4400/',
      'file:///home/examiner/case.zip',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'app://evil/index.html',
      'app://viewer.evil.example/index.html',
      'app://user@viewer/index.html',
      'about:blank',
      'garbage',
    ];
    for (const url of targets) {
      it(`cancels will-navigate, will-frame-navigate and will-redirect to ${url}`, () => {
        const { listeners, blocked } = setup();
        expect(attempt(listeners.get('will-navigate'), url)).toBe(true);
        expect(attempt(listeners.get('will-frame-navigate'), url)).toBe(true);
        expect(attempt(listeners.get('will-redirect'), url)).toBe(true);
        expect(attempt(listeners.get('will-navigate'), url, true)).toBe(true);
        expect(blocked).toContain(`will-navigate ${url}`);
      });
    }
  });

  it("lets the app move between its own pages", () => {
    const { listeners } = setup();
    expect(attempt(listeners.get('will-navigate'), 'app://viewer/index.html#/workspace')).toBe(false);
  });

  it('never attaches a <webview>', () => {
    const { listeners, blocked } = setup();
    const event = { preventDefault: vi.fn() };
    listeners.get('will-attach-webview')?.(event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(blocked).toContain('will-attach-webview ');
  });
});
