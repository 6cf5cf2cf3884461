import type { ConfigArray } from 'typescript-eslint';

export declare const NON_SOURCE_FILES: string[];
export declare const baseConfig: ConfigArray;
export interface BoundaryOptions {
  pure?: boolean;
  workspaceDeps?: string[];
  typeOnly?: string[];
  driverFolders?: string[];
}
export declare function defineConfig(options?: BoundaryOptions): ConfigArray;
