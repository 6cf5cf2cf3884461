/**
 * Opened bundles, by opaque handle. Main opens a file read-only when the user picked it (dialog, drop, command
 * line, recent list) and gives the renderer a random handle; the renderer then reads byte ranges by handle (its
 * engine's `ByteSource`), so a 1 GB bundle is never loaded whole and the renderer never names a path.
 */
import { randomBytes } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';

import { MAX_READ_LENGTH } from '../../shared/ipc-contract';
import type { TOpenedFile } from '../../shared/ipc-contract';

interface TEntry {
  readonly path: string;
  readonly file: FileHandle;
  readonly size: number;
  readonly name: string;
}

/** A file could not be opened or read: the message names the file, never more. */
export class FileAccessError extends Error {
  override readonly name = 'FileAccessError';
}

/** Open files by handle. */
export class FileRegistry {
  readonly #entries = new Map<string, TEntry>();

  /** Opens `path` (absolute, a regular file) read-only and issues a handle. */
  async open(path: string): Promise<TOpenedFile> {
    if (!isAbsolute(path)) throw new FileAccessError('only absolute paths can be opened');
    const absolute = resolve(path);
    const name = basename(absolute);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      throw new FileAccessError(`${name} cannot be found`);
    }
    if (!info.isFile()) throw new FileAccessError(`${name} is not a file`);
    let file: FileHandle;
    try {
      file = await open(absolute, 'r');
    } catch {
      throw new FileAccessError(`${name} cannot be read`);
    }
    const size = (await file.stat()).size;
    const handle = `h_${randomBytes(16).toString('hex')}`;
    this.#entries.set(handle, { path: absolute, file, size, name });
    return { handle, name, size, location: absolute };
  }

  /**
   * Reads `length` bytes at `offset` (fewer at the end of the file, none past it).
   * Requires `0 <= offset`, `1 <= length <= MAX_READ_LENGTH` (checked again here: the schema is not the only guard).
   */
  async read(handle: string, offset: number, length: number): Promise<Uint8Array> {
    const entry = this.#require(handle);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 1 || length > MAX_READ_LENGTH) {
      throw new FileAccessError('invalid byte range');
    }
    if (offset >= entry.size) return new Uint8Array(0);
    const wanted = Math.min(length, entry.size - offset);
    const buffer = new Uint8Array(wanted);
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await entry.file.read(buffer, filled, wanted - filled, offset + filled);
      if (bytesRead === 0) break; // the file shrank: report what exists, the reader sees a truncated source
      filled += bytesRead;
    }
    return filled === wanted ? buffer : buffer.subarray(0, filled);
  }

  /** The path behind a handle (main-process use only: case files, recent list). */
  pathOf(handle: string): string {
    return this.#require(handle).path;
  }

  /** Whether `path` is currently open as a bundle. */
  isOpen(path: string): boolean {
    const absolute = resolve(path);
    for (const entry of this.#entries.values()) if (entry.path === absolute) return true;
    return false;
  }

  /** Paths of every open bundle. */
  openPaths(): string[] {
    return [...this.#entries.values()].map((entry) => entry.path);
  }

  /** Closes a handle; unknown handles are ignored. */
  async close(handle: string): Promise<void> {
    const entry = this.#entries.get(handle);
    if (entry === undefined) return;
    this.#entries.delete(handle);
    await entry.file.close().catch(() => undefined);
  }

  /** Closes everything (window closed, app quitting). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((handle) => this.close(handle)));
  }

  #require(handle: string): TEntry {
    const entry = this.#entries.get(handle);
    if (entry === undefined) throw new FileAccessError('this file is no longer open');
    return entry;
  }
}
