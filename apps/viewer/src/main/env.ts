/**
 * The main process's environment: the only main-process file that reads `process.env`, validated with zod.
 */
import { z } from 'zod';

const ZMainEnvSchema = z.object({
  /** Set by `electron-vite dev`: the renderer's dev server. Unset in production (pages come from app://). */
  ELECTRON_RENDERER_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Overrides the user-data folder (trusted keys, recent files): tests give each run a fresh one. */
  CUSTODY_VIEWER_USER_DATA: z.string().min(1).optional(),
});

export type TMainEnv = z.infer<typeof ZMainEnvSchema>;

/** Parses the environment; invalid values are ignored with a warning rather than trusted. */
export function loadMainEnv(env: Record<string, string | undefined> = process.env): TMainEnv {
  const parsed = ZMainEnvSchema.safeParse({
    ELECTRON_RENDERER_URL: env.ELECTRON_RENDERER_URL === '' ? undefined : env.ELECTRON_RENDERER_URL,
    CUSTODY_VIEWER_USER_DATA: env.CUSTODY_VIEWER_USER_DATA === '' ? undefined : env.CUSTODY_VIEWER_USER_DATA,
  });
  if (parsed.success) return parsed.data;
  console.warn(`custody viewer: ignoring invalid environment: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return {};
}
