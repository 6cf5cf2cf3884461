import { describe, expect, it } from 'vitest';

import { SECURE_WEB_PREFERENCES, insecureWebPreferences, windowWebPreferences } from './web-preferences';

describe('the web preferences', () => {
  it('isolate the context, sandbox the renderer and keep Node and webviews out', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
    expect(insecureWebPreferences(windowWebPreferences({ preload: '/app/out/preload/index.cjs' }))).toEqual([]);
  });

  it('names every insecure setting', () => {
    expect(insecureWebPreferences({ ...SECURE_WEB_PREFERENCES, sandbox: false, nodeIntegration: true, webviewTag: true, webSecurity: false })).toEqual([
      'sandbox must be true',
      'nodeIntegration must be false',
      'webviewTag must be false',
      'webSecurity must be true',
    ]);
    expect(insecureWebPreferences({ ...SECURE_WEB_PREFERENCES, enableBlinkFeatures: 'CSSVariables' })).toEqual(['enableBlinkFeatures must be unset']);
    expect(insecureWebPreferences({})).toContain('contextIsolation must be true');
    expect(insecureWebPreferences(null)).toEqual(['(no web preferences)']);
  });
});
