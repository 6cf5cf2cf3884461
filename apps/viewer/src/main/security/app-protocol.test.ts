import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler, resolveInsideRoot } from './app-protocol';
import { CONTENT_SECURITY_POLICY, REPORT_CONTENT_SECURITY_POLICY } from './csp';

let base: string;
let root: string;
let handler: (request: Request) => Promise<Response>;
const reports = new Map<string, string>();

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'custody-app-protocol-'));
  root = join(base, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>viewer</title>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(base, 'secret.txt'), 'outside the root');
  await symlink(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'));
  handler = createAppProtocolHandler({ rendererDir: root, reports });
});
afterAll(() => rm(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

describe('the app:// protocol handler', () => {
  describe('when the request is for a renderer file', () => {
    it('serves it with the CSP and nosniff headers', async () => {
      const response = await get('app://viewer/index.html');
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>viewer</title>');
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('serves index.html for the root and scripts as JavaScript', async () => {
      expect(await (await get('app://viewer/')).text()).toContain('viewer');
      expect((await get('app://viewer/assets/app.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    });
  });

  describe('when the path tries to leave the renderer folder', () => {
    const attacks = [
      'app://viewer/../secret.txt',
      'app://viewer/%2e%2e/secret.txt',
      'app://viewer/assets/%2e%2e/%2e%2e/secret.txt',
      'app://viewer/..%2fsecret.txt',
      'app://viewer/assets/..%2f..%2fsecret.txt',
      'app://viewer/..%5csecret.txt',
      'app://viewer/assets%5c..%5c..%5csecret.txt',
      'app://viewer/index.html%00.js',
      'app://viewer/%E0%A4%A',
      `app://viewer/${encodeURIComponent('/etc/passwd')}`,
      'app://viewer//etc/passwd',
      'app://viewer/assets/link.txt',
    ];
    for (const url of attacks) {
      it(`refuses ${url}`, async () => {
        const response = await get(url);
        expect(response.status).toBe(404);
        expect(await response.text()).not.toContain('outside the root');
      });
    }

    it('resolveInsideRoot refuses every escape and accepts plain paths', () => {
      expect(resolveInsideRoot('/srv/r', '/../x')).toBeNull();
      expect(resolveInsideRoot('/srv/r', '/a/%2e%2e/%2e%2e/x')).toBeNull();
      expect(resolveInsideRoot('/srv/r', '/a\\..\\..\\x')).toBeNull();
      expect(resolveInsideRoot('/srv/r', '/%00')).toBeNull();
      expect(resolveInsideRoot('/srv/r', '/assets/a.js')).toBe('/srv/r/assets/a.js');
      expect(resolveInsideRoot('/srv/r', '/')).toBe('/srv/r/index.html');
    });
  });

  describe('when the request is not a plain GET of app://viewer', () => {
    it('refuses other methods', async () => {
      expect((await get('app://viewer/index.html', 'POST')).status).toBe(405);
      expect((await get('app://viewer/index.html', 'PUT')).status).toBe(405);
    });

    it('answers HEAD without a body', async () => {
      const response = await get('app://viewer/index.html', 'HEAD');
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    });

    it('refuses other hosts and credentials', async () => {
      expect((await get('app://evil/index.html')).status).toBe(404);
      expect((await get('app://viewer.evil/index.html')).status).toBe(404);
      // WHATWG Request refuses credentials itself; Electron's request object might not, so the handler checks too.
      expect((await handler({ method: 'GET', url: 'app://user:pw@viewer/index.html' } as Request)).status).toBe(400);
    });

    it('returns 404 for missing files and folders', async () => {
      expect((await get('app://viewer/missing.js')).status).toBe(404);
      expect((await get('app://viewer/assets')).status).toBe(404);
    });
  });

  describe('when a report is registered for printing', () => {
    it('serves it only by its token, under the script-free policy', async () => {
      const token = 'a'.repeat(32);
      reports.set(token, '<h1>Findings</h1>');
      const response = await get(`app://report/${token}.html`);
      expect(await response.text()).toBe('<h1>Findings</h1>');
      expect(response.headers.get('content-security-policy')).toBe(REPORT_CONTENT_SECURITY_POLICY);
      expect(REPORT_CONTENT_SECURITY_POLICY).not.toContain('script-src');
      expect(REPORT_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
      expect((await get(`app://report/${'b'.repeat(32)}.html`)).status).toBe(404);
      expect((await get('app://report/../index.html')).status).toBe(404);
      reports.delete(token);
      expect((await get(`app://report/${token}.html`)).status).toBe(404);
    });
  });

  it('is registered as a standard, secure scheme that never bypasses the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES.scheme).toBe('app');
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true, bypassCSP: false });
  });
});
