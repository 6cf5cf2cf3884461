/**
 * `@custody/api`: the tRPC API. Servers import `appRouter` and `createContextInner`; clients import
 * `type AppRouter` only.
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

import type { AppRouter } from './root';

export { appRouter } from './root';
export type { AppRouter } from './root';
export { createCallerFactory, errorMapping } from './trpc';
export type { TAppErrorData } from './trpc';
export { bearerToken, createContextInner } from './context';
export type { TContext, TContextDeps, TContextInput, TRequestLogger } from './context';

/** Inputs of every procedure: `RouterInputs['events']['list']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure: `RouterOutputs['events']['list']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
