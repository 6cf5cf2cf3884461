import type { TRPCRouterRecord } from '@trpc/server';

import { createOrganizationRoute } from './create';
import { getOrganizationRoute } from './get';
import { listOrganizationsRoute } from './list';
import { setActionRegistryRoute } from './set-action-registry';

export const organizationsRouter = {
  create: createOrganizationRoute,
  list: listOrganizationsRoute,
  get: getOrganizationRoute,
  setActionRegistry: setActionRegistryRoute,
} satisfies TRPCRouterRecord;
