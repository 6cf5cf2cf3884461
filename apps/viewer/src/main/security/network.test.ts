import { describe, expect, it, vi } from 'vitest';

import { blockNetwork, isAllowedRequest } from './network';
import type { TNetworkSession } from './network';

const production = { devServer: null };
const development = { devServer: 'http://localhost:5173' };

describe('the network policy', () => {
  describe('in production', () => {
    const refused = [
      'https://example.com/',
      'http://127.0.0.1:4400/index.html',
      'http://localhost:5173/',
      'ws://localhost:5173/',
      'wss://evil.example/socket',
      'ftp://example.com/file',
      'file:///etc/passwd',
      'chrome://settings',
      'devtools://devtools/bundled/inspector.html',
      'not a url',
      '',
    ];
    for (const url of refused) {
      it(`cancels ${JSON.stringify(url)}`, () => {
        expect(isAllowedRequest(url, production)).toBe(false);
      });
    }

    it("allows the app's own scheme and in-page blob:/data: URLs", () => {
      expect(isAllowedRequest('app://viewer/assets/index.js', production)).toBe(true);
      expect(isAllowedRequest('app://report/0123.html', production)).toBe(true);
      expect(isAllowedRequest('blob:app://viewer/6f1c', production)).toBe(true);
      expect(isAllowedRequest('data:image/png;base64,AAAA', production)).toBe(true);
    });
  });

  describe('in development', () => {
    it('also allows the dev server and its HMR socket, nothing else', () => {
      expect(isAllowedRequest('http://localhost:5173/src/main.tsx', development)).toBe(true);
      expect(isAllowedRequest('ws://localhost:5173/', development)).toBe(true);
      expect(isAllowedRequest('devtools://devtools/bundled/inspector.html', development)).toBe(true);
      expect(isAllowedRequest('http://localhost:5174/', development)).toBe(false);
      expect(isAllowedRequest('https://example.com/', development)).toBe(false);
    });
  });

  it('cancels refused requests on the session and reports them', () => {
    let listener: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | undefined;
    const session = { webRequest: { onBeforeRequest: vi.fn((l: typeof listener) => (listener = l)) } } as unknown as TNetworkSession;
    const blocked: string[] = [];
    blockNetwork(session, production, (url) => blocked.push(url));
    const answer = vi.fn();
    listener?.({ url: 'https://tracker.example/pixel.gif' }, answer);
    expect(answer).toHaveBeenLastCalledWith({ cancel: true });
    listener?.({ url: 'app://viewer/index.html' }, answer);
    expect(answer).toHaveBeenLastCalledWith({ cancel: false });
    expect(blocked).toEqual(['https://tracker.example/pixel.gif']);
  });
});
