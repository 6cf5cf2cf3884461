/** A bundle checker thread (see `createThreadedLeafChecker`): runs `checkLeafBatch` with Node's SHA-256 (`nodeSha256Into`). */
import { parentPort } from 'node:worker_threads';

import { checkLeafBatch } from '@custody/bundle';
import type { LeafBatch, LeafBatchContext } from '@custody/bundle';

import type { TLeafCheckerMessage } from './leaf-checker-thread';
import { nodeSha256Into } from './node-crypto';

const port = parentPort;
if (port === null) throw new Error('leaf-checker.worker runs only as a worker thread');
port.on('message', (message: { id: number; batch: LeafBatch; context: LeafBatchContext }) => {
  try {
    const result = checkLeafBatch(message.batch, message.context, nodeSha256Into);
    const buffers = [result.nodeLo.buffer, result.nodeHi.buffer, result.nodeHashes.buffer, result.purgedSeqs.buffer, result.purgedHashes.buffer];
    const transfer = buffers.filter((buffer, i): buffer is ArrayBuffer => buffer instanceof ArrayBuffer && buffers.indexOf(buffer) === i);
    port.postMessage({ id: message.id, result } satisfies TLeafCheckerMessage, transfer);
  } catch (error) {
    port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies TLeafCheckerMessage);
  }
});
