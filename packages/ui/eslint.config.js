import { defineConfig } from '@custody/eslint-config';

export default defineConfig({ pure: true, workspaceDeps: ['@custody/schema'] });
