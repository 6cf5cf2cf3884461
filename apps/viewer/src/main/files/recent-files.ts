/**
 * The recent-files list (`recent-files.json` in the user-data folder). The renderer sees ids, names and display
 * locations; reopening goes by id, so the renderer never hands main a path.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import type { TRecentFile } from '../../shared/ipc-contract';
import { readJsonFile, writeJsonFile } from './json-store';

/** How many files the list keeps. */
export const MAX_RECENT_FILES = 12;

const ZRecentStoreSchema = z.object({
  format: z.literal('custody.viewer.recent/v1'),
  files: z.array(z.object({ path: z.string(), name: z.string(), size: z.number(), openedAt: z.string() })).max(100),
});
type TRecentStore = z.infer<typeof ZRecentStoreSchema>;

/** The id of a path in the list. */
export function recentIdOf(path: string): string {
  return `r_${createHash('sha256').update(path).digest('hex').slice(0, 16)}`;
}

/** The recent-files list of one user-data folder. */
export class RecentFiles {
  readonly #file: string;

  constructor(userDataDir: string) {
    this.#file = join(userDataDir, 'recent-files.json');
  }

  async #read(): Promise<TRecentStore> {
    return readJsonFile(this.#file, ZRecentStoreSchema, { format: 'custody.viewer.recent/v1', files: [] });
  }

  /** The list, most recent first; `reopenable` is false for files that are gone. */
  async list(): Promise<TRecentFile[]> {
    const store = await this.#read();
    return Promise.all(
      store.files.map(async (file) => ({
        id: recentIdOf(file.path),
        name: file.name,
        location: file.path,
        size: file.size,
        openedAt: file.openedAt,
        reopenable: await stat(file.path).then((s) => s.isFile(), () => false),
      })),
    );
  }

  /** Moves `path` to the top of the list. */
  async add(file: { path: string; name: string; size: number }, now = new Date()): Promise<void> {
    const store = await this.#read();
    const files = [{ path: file.path, name: file.name, size: file.size, openedAt: now.toISOString() }, ...store.files.filter((f) => f.path !== file.path)];
    await writeJsonFile(this.#file, { format: 'custody.viewer.recent/v1', files: files.slice(0, MAX_RECENT_FILES) } satisfies TRecentStore);
  }

  /** The path of a list entry, or null for an unknown id. */
  async pathOf(id: string): Promise<string | null> {
    const store = await this.#read();
    return store.files.find((file) => recentIdOf(file.path) === id)?.path ?? null;
  }

  /** Empties the list. */
  async clear(): Promise<void> {
    await writeJsonFile(this.#file, { format: 'custody.viewer.recent/v1', files: [] } satisfies TRecentStore);
  }
}
