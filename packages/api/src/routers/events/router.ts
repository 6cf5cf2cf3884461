import type { TRPCRouterRecord } from '@trpc/server';

import { createEventRoute } from './create';
import { createEventsBatchRoute } from './create-batch';
import { getEventRoute } from './get';
import { listEventsRoute } from './list';
import { eventStatsRoute } from './stats';

export const eventsRouter = {
  create: createEventRoute,
  createBatch: createEventsBatchRoute,
  list: listEventsRoute,
  get: getEventRoute,
  stats: eventStatsRoute,
} satisfies TRPCRouterRecord;
