import { defineConfig } from '@custody/eslint-config';

export default defineConfig({ workspaceDeps: ['@custody/api', '@custody/ledger', '@custody/schema'], typeOnly: ['@custody/api'] });
