import type { FuseV1Config } from '@electron/fuses';

/** The fuse settings of a release package, by @electron/fuses option name (viewer.md §4.2). */
export declare const RELEASE_FUSES: Readonly<Record<'RunAsNode' | 'EnableCookieEncryption' | 'EnableNodeOptionsEnvironmentVariable' | 'EnableNodeCliInspectArguments' | 'EnableEmbeddedAsarIntegrityValidation' | 'OnlyLoadAppFromAsar' | 'LoadBrowserProcessSpecificV8Snapshot' | 'GrantFileProtocolExtraPrivileges', boolean>>;
/** The fuse wire config for `flipFuses`. */
export declare function releaseFuseConfig(resetAdHocDarwinSignature?: boolean): FuseV1Config;
/** electron-builder `afterPack` hook. */
declare function afterPack(context: { appOutDir: string; electronPlatformName: string; arch: number; packager: { appInfo: { productFilename: string }; executableName?: string } }): Promise<void>;
// eslint-disable-next-line no-restricted-syntax -- electron-builder loads hooks by their default export
export default afterPack;
