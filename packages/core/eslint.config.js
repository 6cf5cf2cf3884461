import { defineConfig } from '@custody/eslint-config';

export default defineConfig({ workspaceDeps: ['@custody/schema', '@custody/ledger', '@custody/db', '@custody/bundle'] });
