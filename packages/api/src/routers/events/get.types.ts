import { z } from 'zod';

import { withoutNul, ZEventRecordSchema, ZOrganizationIdSchema } from '../shared.types';

export const ZGetEventRequestSchema = z.strictObject({ organizationId: ZOrganizationIdSchema, id: withoutNul(z.string().min(1).max(64)) });
export const ZGetEventResponseSchema = ZEventRecordSchema;
