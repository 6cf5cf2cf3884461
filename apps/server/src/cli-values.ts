/** Option values as `parseArgs` returns them, and readers for one option, shared by the CLI's commands. */
export type TValues = Record<string, string | boolean | string[] | undefined>;

/** A string option's value, or undefined. */
export function str(values: TValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable option's values (none: an empty list). */
export function list(values: TValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
