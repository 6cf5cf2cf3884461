import type { TRPCRouterRecord } from '@trpc/server';

import { createExportRoute } from './create';
import { getExportRoute } from './get';
import { listExportsRoute } from './list';

export const exportsRouter = {
  create: createExportRoute,
  get: getExportRoute,
  list: listExportsRoute,
} satisfies TRPCRouterRecord;
