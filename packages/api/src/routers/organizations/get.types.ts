import { z } from 'zod';

import { ZOrganizationIdSchema, ZOrganizationSchema } from '../shared.types';

export const ZGetOrganizationRequestSchema = z.strictObject({ organizationId: ZOrganizationIdSchema });
export const ZGetOrganizationResponseSchema = ZOrganizationSchema;
