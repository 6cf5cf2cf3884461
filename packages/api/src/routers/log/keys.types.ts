import { z } from 'zod';

export const ZKeysRequestSchema = z.strictObject({}).optional();
export const ZKeysResponseSchema = z.object({
  logName: z.string(),
  keys: z.array(
    z.object({ vkey: z.string(), keyId: z.string(), fingerprint: z.string(), createdAt: z.string(), retiredAt: z.string().nullable() }),
  ),
});
