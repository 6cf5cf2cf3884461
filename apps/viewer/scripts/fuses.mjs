// @ts-check
/**
 * Electron fuses for release packages (viewer.md §4.2), flipped with @electron/fuses by electron-builder's
 * `afterPack` hook (electron-builder.yml), i.e. after the app is assembled and before it is code-signed, so the
 * OS signature covers them. Read them back with `npx @electron/fuses read --app <packaged app>`.
 *
 * `EnableNodeCliInspectArguments` is off in release packages only: Playwright's `_electron` needs it and runs
 * against the unpackaged build (e2e/electron.test.ts); smoke-test packaged apps without Playwright.
 */
import { join } from 'node:path';

import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';

/** The fuse settings of a release package, by @electron/fuses option name. */
export const RELEASE_FUSES = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
};

/** The fuse wire config for `flipFuses`. */
export function releaseFuseConfig(resetAdHocDarwinSignature = false) {
  /** @type {import('@electron/fuses').FuseV1Config} */
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature };
  for (const [name, value] of Object.entries(RELEASE_FUSES)) {
    config[FuseV1Options[/** @type {keyof typeof FuseV1Options} */ (name)]] = value;
  }
  return config;
}

/**
 * electron-builder `afterPack` hook: flips the fuses of the packaged Electron binary.
 * @param {{ appOutDir: string; electronPlatformName: string; arch: number; packager: { appInfo: { productFilename: string }; executableName?: string } }} context
 */
// eslint-disable-next-line no-restricted-syntax -- electron-builder loads hooks by their default export
export default async function afterPack(context) {
  const name = context.packager.appInfo.productFilename;
  const binary = context.electronPlatformName === 'darwin'
    ? join(context.appOutDir, `${name}.app`)
    : context.electronPlatformName === 'win32'
      ? join(context.appOutDir, `${name}.exe`)
      : join(context.appOutDir, context.packager.executableName ?? name);
  // Apple Silicon refuses binaries whose ad-hoc signature no longer matches: re-sign ad hoc after flipping.
  const arm64 = context.arch === 3;
  await flipFuses(binary, releaseFuseConfig(context.electronPlatformName === 'darwin' && arm64));
}
