import { defineConfig } from '@custody/eslint-config';

export default defineConfig({ workspaceDeps: ['@custody/core', '@custody/schema'] });
