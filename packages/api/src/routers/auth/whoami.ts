import { authedProcedure } from '../../trpc';
import { ZWhoamiRequestSchema, ZWhoamiResponseSchema } from './whoami.types';

/** The calling key: name, binding and scopes (so a UI can show only what the key may do). Any valid key. */
export const whoamiRoute = authedProcedure
  .input(ZWhoamiRequestSchema)
  .output(ZWhoamiResponseSchema)
  .query(({ ctx }) => ({
    keyId: ctx.principal.keyId,
    name: ctx.principal.name,
    organizationId: ctx.principal.organizationId,
    scopes: [...ctx.principal.scopes],
  }));
