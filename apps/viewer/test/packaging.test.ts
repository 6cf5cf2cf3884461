/**
 * Packaging configuration: electron-builder targets and the release fuses (viewer.md §4.2, §4.3). The package
 * itself cannot be built here (electron-builder downloads Electron); this checks what it would be built with.
 */
import { readFile } from 'node:fs/promises';

import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

import { RELEASE_FUSES, releaseFuseConfig } from '../scripts/fuses.mjs';

const yml = await readFile(new URL('../electron-builder.yml', import.meta.url), 'utf8');
const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { main: string; scripts: Record<string, string> };

describe('electron-builder.yml', () => {
  it('names the app and builds AppImage + deb, NSIS and DMG, in an asar', () => {
    expect(yml).toMatch(/^appId: com\.custody\.viewer$/m);
    expect(yml).toMatch(/^productName: Custody Viewer$/m);
    expect(yml).toMatch(/^linux:\n {2}target:\n {4}- AppImage\n {4}- deb$/m);
    expect(yml).toMatch(/^win:\n {2}target:\n {4}- nsis$/m);
    expect(yml).toMatch(/^mac:\n {2}target:\n {4}- dmg$/m);
    expect(yml).toMatch(/^asar: true$/m);
    expect(yml).toMatch(/^afterPack: \.\/scripts\/fuses\.mjs$/m);
  });

  it('packages the electron-vite output only, with main where package.json says', () => {
    expect(yml).toContain('  - out/**/*');
    expect(yml).toContain('  - "!node_modules/**/*"');
    expect(pkg.main).toBe('./out/main/index.js');
    expect(pkg.scripts.package).toBe('electron-vite build && electron-builder');
  });
});

describe('the release fuses', () => {
  it('follow viewer.md §4.2', () => {
    expect(RELEASE_FUSES).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      LoadBrowserProcessSpecificV8Snapshot: false,
      GrantFileProtocolExtraPrivileges: false,
    });
  });

  it('map to the fuse wire of @electron/fuses', () => {
    const config = releaseFuseConfig() as unknown as Record<string | number, unknown>;
    expect(config.version).toBe(FuseVersion.V1);
    expect(config[FuseV1Options.RunAsNode]).toBe(false);
    expect(config[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
    expect(config[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(config[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(Object.keys(config).filter((k) => /^\d+$/.test(k))).toHaveLength(8);
  });
});
