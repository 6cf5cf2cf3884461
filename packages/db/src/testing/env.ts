/** The environment of the test helpers (the only file of this package that reads `process.env`). */
export const testEnv = {
  /** `sqlite,postgres`; default: sqlite, plus postgres when DATABASE_URL names a Postgres server. */
  dialects: process.env.DIALECTS,
  /** A Postgres server the tests may create and drop `custody_test_*` databases on. */
  databaseUrl: process.env.DATABASE_URL,
};
