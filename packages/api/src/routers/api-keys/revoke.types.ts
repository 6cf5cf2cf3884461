import { z } from 'zod';

import { ZApiKeySchema } from '../shared.types';

export const ZRevokeApiKeyRequestSchema = z.strictObject({ keyId: z.string().min(1).max(100) });
export const ZRevokeApiKeyResponseSchema = ZApiKeySchema;
