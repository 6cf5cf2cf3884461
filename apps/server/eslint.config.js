import { defineConfig } from '@custody/eslint-config';

export default defineConfig({
  workspaceDeps: ['@custody/api', '@custody/bundle', '@custody/core', '@custody/db', '@custody/ledger', '@custody/schema'],
});
