import type { TRPCRouterRecord } from '@trpc/server';

import { whoamiRoute } from './whoami';

export const authRouter = {
  whoami: whoamiRoute,
} satisfies TRPCRouterRecord;
