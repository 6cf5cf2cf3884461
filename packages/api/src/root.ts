import { apiKeysRouter } from './routers/api-keys/router';
import { authRouter } from './routers/auth/router';
import { eventsRouter } from './routers/events/router';
import { exportsRouter } from './routers/exports/router';
import { logRouter } from './routers/log/router';
import { organizationsRouter } from './routers/organizations/router';
import { router } from './trpc';

/** The whole API. */
export const appRouter = router({
  events: eventsRouter,
  exports: exportsRouter,
  log: logRouter,
  organizations: organizationsRouter,
  apiKeys: apiKeysRouter,
  auth: authRouter,
});

export type AppRouter = typeof appRouter;
