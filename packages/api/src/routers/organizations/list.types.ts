import { z } from 'zod';

import { ZOrganizationSchema } from '../shared.types';

export const ZListOrganizationsRequestSchema = z.strictObject({}).optional();
export const ZListOrganizationsResponseSchema = z.array(ZOrganizationSchema);
