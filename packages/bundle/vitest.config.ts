import { nodePreset } from '@custody/vitest-config';

export default nodePreset;
