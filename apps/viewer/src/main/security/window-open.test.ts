import { describe, expect, it, vi } from 'vitest';

import { createExternalOpener, isSafeExternalUrl } from './external-links';
import { denyWindowOpen } from './window-open';

const openExternalMock = vi.hoisted(() => vi.fn((_url: string) => Promise.resolve()));
vi.mock('electron', () => ({ shell: { openExternal: openExternalMock } }));

type TOpenHandler = (details: { url: string }) => { action: string };

async function setup(confirmed: boolean) {
  const { shell } = await import('electron');
  let handler: TOpenHandler | undefined;
  const contents = { setWindowOpenHandler: vi.fn((h: TOpenHandler) => (handler = h)) };
  const confirm = vi.fn(() => Promise.resolve(confirmed));
  const opener = createExternalOpener({ confirm, open: (url) => shell.openExternal(url) });
  denyWindowOpen(contents as never, opener);
  return { handler: (url: string) => handler?.({ url }), confirm, openExternal: openExternalMock };
}

describe('denyWindowOpen', () => {
  describe('when a page calls window.open or follows a target=_blank link', () => {
    for (const url of ['app://viewer/index.html', 'https://example.com/', 'http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'about:blank']) {
      it(`never creates a window for ${url}`, async () => {
        const { handler } = await setup(true);
        expect(handler(url)).toEqual({ action: 'deny' });
      });
    }
  });

  it('hands a confirmed https link to the OS browser', async () => {
    const { handler, confirm, openExternal } = await setup(true);
    openExternal.mockClear();
    handler('https://example.com/advisory');
    await vi.waitFor(() => expect(openExternal).toHaveBeenCalledWith('https://example.com/advisory'));
    expect(confirm).toHaveBeenCalledWith('https://example.com/advisory');
  });

  it('opens nothing when the examiner declines', async () => {
    const { handler, confirm, openExternal } = await setup(false);
    openExternal.mockClear();
    handler('https://example.com/advisory');
    await vi.waitFor(() => expect(confirm).toHaveBeenCalled());
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('never offers unsafe URLs to the OS, not even for confirmation', async () => {
    const { handler, confirm, openExternal } = await setup(true);
    openExternal.mockClear();
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'smb://host/share', 'https://user:pw@example.com/', 'javascript:alert(1)']) handler(url);
    await new Promise((r) => setTimeout(r, 10));
    expect(confirm).not.toHaveBeenCalled();
    expect(openExternal).not.toHaveBeenCalled();
  });
});

describe('isSafeExternalUrl', () => {
  it('accepts plain https only', () => {
    expect(isSafeExternalUrl('https://example.com/a?b#c')).toBe(true);
    expect(isSafeExternalUrl('https://user@example.com/')).toBe(false);
    expect(isSafeExternalUrl(`https://example.com/${'a'.repeat(3000)}`)).toBe(false);
    expect(isSafeExternalUrl('HTTPS://EXAMPLE.COM/')).toBe(true);
    expect(isSafeExternalUrl('ms-msdt:/id PCWDiagnostic')).toBe(false);
  });
});
