/**
 * Events that `validateEvent` accepted, with their canonical text. `createLoggedEvent` skips the full
 * re-check for them (the hot ingest path), and `canonicalEventText` reuses the text. Validated events
 * are deeply frozen, so membership here proves the content is what was validated.
 */
const validated = new WeakMap<object, string>();

function deepFreeze(value: unknown): void {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
}

/** Records `event` as validated with its canonical text, and freezes it. */
export function markValidated(event: object, canonicalText: string): void {
  deepFreeze(event);
  validated.set(event, canonicalText);
}

/** The canonical text recorded for a validated event, or `undefined` for any other object. */
export function validatedCanonicalText(event: object): string | undefined {
  return validated.get(event);
}
