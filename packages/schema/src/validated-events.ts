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

/**
 * Re-creates, in another thread of the same process, an event `validateEvent` accepted here: parses the
 * canonical text it recorded (`canonicalEventText(event)`) and marks the copy validated, so
 * `createLoggedEvent` takes its fast path there too. The copy deep-equals the original, since canonical
 * JSON holds no `undefined` members.
 *
 * Trusts its argument: use it only on text `validateEvent` produced in this process (the server's
 * writer thread), never on input from outside.
 */
export function restoreValidatedEvent<T extends object>(canonicalText: string): T {
  const event = JSON.parse(canonicalText) as T;
  markValidated(event, canonicalText);
  return event;
}
