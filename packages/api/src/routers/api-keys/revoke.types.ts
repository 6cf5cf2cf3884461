import { z } from 'zod';

import { withoutNul, ZApiKeySchema } from '../shared.types';

export const ZRevokeApiKeyRequestSchema = z.strictObject({ keyId: withoutNul(z.string().min(1).max(100)) });
export const ZRevokeApiKeyResponseSchema = ZApiKeySchema;
