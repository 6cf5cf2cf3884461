import { defineConfig } from '@custody/eslint-config';

export default defineConfig({ workspaceDeps: ['@custody/schema', '@custody/api'], typeOnly: ['@custody/api'] });
