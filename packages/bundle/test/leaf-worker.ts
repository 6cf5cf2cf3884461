/** Worker side of {@link createWorkerChecker}: runs `checkLeafBatch` with Node's SHA-256. */
import { parentPort } from 'node:worker_threads';

import { checkLeafBatch, type LeafBatch, type LeafBatchContext } from '../src/index';
import { nodeSha256Into } from './node-adapters';

const port = parentPort;
if (port !== null) {
  port.on('message', (message: { id: number; batch: LeafBatch; context: LeafBatchContext }) => {
    try {
      const result = checkLeafBatch(message.batch, message.context, nodeSha256Into);
      port.postMessage({ id: message.id, result }, [result.nodeLo.buffer, result.nodeHi.buffer, result.nodeHashes.buffer, result.purgedSeqs.buffer, result.purgedHashes.buffer] as ArrayBuffer[]);
    } catch (error) {
      port.postMessage({ id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
  port.postMessage({ ready: true });
}
