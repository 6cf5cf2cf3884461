import { defineConfig } from '@custody/eslint-config';

export default defineConfig({ workspaceDeps: ['@custody/schema'], driverFolders: ['src/dialect/**'] });
