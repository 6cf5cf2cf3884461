import { z } from 'zod';

import { withoutNul, ZOrganizationIdSchema } from '../shared.types';
import { ZExportInfoSchema } from './create.types';

export const ZGetExportRequestSchema = z.strictObject({ organizationId: ZOrganizationIdSchema, exportId: withoutNul(z.string().min(1).max(100)) });
export const ZGetExportResponseSchema = ZExportInfoSchema;
