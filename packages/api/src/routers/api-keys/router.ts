import type { TRPCRouterRecord } from '@trpc/server';

import { createApiKeyRoute } from './create';
import { listApiKeysRoute } from './list';
import { revokeApiKeyRoute } from './revoke';

export const apiKeysRouter = {
  create: createApiKeyRoute,
  list: listApiKeysRoute,
  revoke: revokeApiKeyRoute,
} satisfies TRPCRouterRecord;
