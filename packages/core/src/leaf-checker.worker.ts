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
    const batch = message.batch;
    const checked = checkLeafBatch(batch, message.context, nodeSha256Into);
    // The batch's buffers go back with the result (transferred again), for the reading thread to fill anew.
    const result = { ...checked, returned: batch };
    const buffers = [
      result.nodeLo.buffer, result.nodeHi.buffer, result.nodeHashes.buffer, result.purgedSeqs.buffer, result.purgedHashes.buffer,
      batch.leaves.buffer, batch.events.buffer, batch.eventFlags.buffer, batch.leafEnds.buffer, batch.eventEnds.buffer,
    ];
    const transfer = buffers.filter((buffer, i): buffer is ArrayBuffer => buffer instanceof ArrayBuffer && buffers.indexOf(buffer) === i);
    port.postMessage({ id: message.id, result } satisfies TLeafCheckerMessage, transfer);
  } catch (error) {
    port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies TLeafCheckerMessage);
  }
});
