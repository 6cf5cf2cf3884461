import type { TRPCRouterRecord } from '@trpc/server';

import { checkpointRoute } from './checkpoint';
import { listCheckpointsRoute } from './checkpoints';
import { consistencyProofRoute } from './consistency-proof';
import { entryRoute } from './entry';
import { inclusionProofRoute } from './inclusion-proof';
import { keysRoute } from './keys';
import { signCheckpointRoute } from './sign-checkpoint';

export const logRouter = {
  checkpoint: checkpointRoute,
  checkpoints: listCheckpointsRoute,
  signCheckpoint: signCheckpointRoute,
  inclusionProof: inclusionProofRoute,
  consistencyProof: consistencyProofRoute,
  entry: entryRoute,
  keys: keysRoute,
} satisfies TRPCRouterRecord;
