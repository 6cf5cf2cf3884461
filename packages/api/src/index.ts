/**
 * `@custody/api`: the tRPC API. Servers import `appRouter` and `createContextInner`; clients import
 * `type AppRouter` only.
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

import type { AppRouter } from './root';

export { appRouter } from './root';
export type { AppRouter } from './root';
export { authenticate, createCallerFactory, errorMapping, procedureError } from './trpc';
export type { TAppErrorData, TAuthedContext } from './trpc';
export { createEvent } from './routers/events/create';
export { ZCreateEventRequestSchema, ZCreateEventResponseSchema } from './routers/events/create.types';
export { createEventsBatch } from './routers/events/create-batch';
export { ZCreateEventsBatchRequestSchema, ZCreateEventsBatchResponseSchema } from './routers/events/create-batch.types';
export { bearerToken, createContextInner } from './context';
export type { TContext, TContextDeps, TContextInput, TRequestLogger } from './context';

/** Inputs of every procedure: `RouterInputs['events']['list']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure: `RouterOutputs['events']['list']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
