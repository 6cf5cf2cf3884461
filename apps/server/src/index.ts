/** For tests and embedding: build the HTTP server around a `Custody`. */
export { createHttpServer, findConsoleDir } from './http';
export type { THttpOptions, THttpServer } from './http';
export { boot, databaseLabel } from './boot';
export type { TBooted } from './boot';
export { ConfigError, loadConfig, ZEnvSchema } from './env';
export type { TConfig, TEnv } from './env';
export { main, run } from './cli';
