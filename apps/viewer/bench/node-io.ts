/**
 * Node-side I/O the viewer benchmarks share: files as ByteSources and zlib as a ByteTransform. (The
 * viewer may not depend on @custody/core, whose server-side versions these mirror.)
 */
import { open } from 'node:fs/promises';
import type { Transform } from 'node:stream';

import type { ByteSource, ByteTransform } from '@custody/bundle';

/** A zlib stream as a ByteTransform; stops the pump when the consumer stops reading. */
export function zlibTransform(create: () => Transform): ByteTransform {
  return (input) => {
    const stream = create();
    let stop = false;
    const pump = (async () => {
      try {
        for await (const chunk of input) {
          if (stop) break;
          await new Promise<void>((resolve, reject) => stream.write(chunk, (error) => (error ? reject(error) : resolve())));
        }
        stream.end();
      } catch (error) {
        stream.destroy(error as Error);
      }
    })();
    return (async function* () {
      try {
        for await (const chunk of stream as AsyncIterable<Uint8Array>) yield chunk;
        await pump;
      } finally {
        stop = true;
        stream.destroy();
      }
    })();
  };
}

/** A read-only file as a ByteSource. */
export async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const buffer = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === length ? buffer : buffer.subarray(0, done);
    },
    close: () => handle.close(),
  };
}
