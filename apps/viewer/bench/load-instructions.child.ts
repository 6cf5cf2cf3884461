/**
 * The measured part of `load-instructions.ts` (run by it under callgrind): loads the events file given as the first
 * argument into a fresh `ColumnStore` as the engine's loader does (8 MiB blocks filled from 64 KiB chunks,
 * `addLines`), as many times as the second argument says (0: only starting and importing, the part left out).
 */
import { readFileSync } from 'node:fs';

import { ColumnStore } from '../src/engine/store';

const BLOCK = 8 << 20;
const CHUNK = 64 << 10;

/** Loads `all` into a fresh store as the engine's loader does; returns the rows. */
function load(all: Uint8Array): number {
  const store = new ColumnStore();
  let block = new Uint8Array(BLOCK);
  let blockIndex = store.addBlock(block);
  let used = 0;
  let lineStart = 0;
  let line = 0;
  for (let offset = 0; offset < all.length; ) {
    if (used === block.length) {
      const next = new Uint8Array(BLOCK);
      next.set(block.subarray(lineStart, used));
      block = next;
      blockIndex = store.addBlock(block);
      used -= lineStart;
      lineStart = 0;
    }
    const take = Math.min(block.length - used, CHUNK, all.length - offset);
    block.set(all.subarray(offset, offset + take), used);
    const searched = used;
    used += take;
    offset += take;
    lineStart = store.addLines(0, line, blockIndex, block, lineStart, used, searched, () => line++);
  }
  return store.rows;
}

const [file, passes] = process.argv.slice(2);
const all = new Uint8Array(readFileSync(file as string));
for (let pass = 0; pass < Number(passes); pass++) console.log(`rows ${load(all)}`);
