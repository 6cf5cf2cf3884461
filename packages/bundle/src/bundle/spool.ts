/**
 * Spools: temporary stores for entries that are produced while another entry is being streamed into the ZIP
 * (the writer streams `events.ndjson` and spools `leaves.txt`, `purges.ndjson` and files opened with
 * `openFile`, already compressed). The default keeps chunks in memory; the server injects temp files.
 */

/** A temporary store: written once, in order, then read back once. */
export interface Spool {
  /** Appends bytes. The chunk is not modified afterwards. */
  write(chunk: Uint8Array): Promise<void> | void;
  /** Everything written, in order (called once, after the last write). */
  read(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Releases the storage (called once, also after failures). */
  dispose?(): Promise<void> | void;
}

/** Creates a spool; `name` is a hint for temp-file names (`leaves.txt`, `events.csv`…). */
export type SpoolFactory = (name: string) => Spool;

/** The default {@link SpoolFactory}: chunks kept in memory (memory grows with the spooled, compressed bytes). */
export const memorySpool: SpoolFactory = () => {
  let chunks: Uint8Array[] = [];
  return {
    write(chunk) {
      chunks.push(chunk);
    },
    read() {
      return chunks;
    },
    dispose() {
      chunks = [];
    },
  };
};
