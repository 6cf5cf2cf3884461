import { publicProcedure } from '../../trpc';
import { ZKeysRequestSchema, ZKeysResponseSchema } from './keys.types';

/** Every verifier key the server ever signed checkpoints with, the active one first. Public. */
export const keysRoute = publicProcedure
  .input(ZKeysRequestSchema)
  .output(ZKeysResponseSchema)
  .query(async ({ ctx }) => ({ logName: ctx.custody.logName, keys: await ctx.custody.signingKeys.list() }));
