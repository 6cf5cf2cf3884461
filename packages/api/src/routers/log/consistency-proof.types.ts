import { z } from 'zod';

import { ZOrganizationIdSchema, ZSizeSchema } from '../shared.types';

export const ZConsistencyProofRequestSchema = z.strictObject({ organizationId: ZOrganizationIdSchema, from: ZSizeSchema, to: ZSizeSchema });
export const ZConsistencyProofResponseSchema = z.object({ from: ZSizeSchema, to: ZSizeSchema, proof: z.array(z.string()) });
