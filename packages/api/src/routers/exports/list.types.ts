import { z } from 'zod';

import { ZOrganizationIdSchema } from '../shared.types';
import { ZExportInfoSchema } from './create.types';

export const ZListExportsRequestSchema = z.strictObject({ organizationId: ZOrganizationIdSchema, limit: z.number().int().min(1).max(500).default(50) });
export const ZListExportsResponseSchema = z.array(ZExportInfoSchema);
