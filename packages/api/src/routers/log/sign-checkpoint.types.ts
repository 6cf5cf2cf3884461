import { z } from 'zod';

import { ZCheckpointSchema, ZOrganizationIdSchema } from '../shared.types';

export const ZSignCheckpointRequestSchema = z.strictObject({ organizationId: ZOrganizationIdSchema });
export const ZSignCheckpointResponseSchema = ZCheckpointSchema;
