/**
 * Bundles named on the command line (`custody-viewer case.zip other.zip`, "Open with", a second instance).
 * Options (`--foo`, Chromium switches) are skipped; relative paths resolve against the launching folder.
 */
import { isAbsolute, resolve } from 'node:path';

/**
 * The bundle paths in `argv`. `skip` is how many leading entries are the executable and, for an unpackaged run
 * (`electron .`), the app path. Only `.zip` files are taken: anything else is not a bundle.
 */
export function bundlePathsFromArgv(argv: readonly string[], cwd: string, skip: number): string[] {
  const paths: string[] = [];
  for (const arg of argv.slice(skip)) {
    if (arg === '' || arg.startsWith('-')) continue;
    if (!/\.zip$/i.test(arg)) continue;
    const path = isAbsolute(arg) ? resolve(arg) : resolve(cwd, arg);
    if (!paths.includes(path)) paths.push(path);
  }
  return paths;
}
