import { defineConfig } from '@custody/eslint-config';

export default defineConfig({ workspaceDeps: [], driverFolders: ['src/dialect/**'] });
