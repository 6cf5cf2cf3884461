import { canonicalize } from './canonical';
import { validatedCanonicalText } from './validated-events';

/**
 * The RFC 8785 text of an event input: cached for events `validateEvent` accepted (it canonicalized
 * them to check their size), computed otherwise.
 */
export function canonicalEventText(event: object): string {
  return validatedCanonicalText(event) ?? canonicalize(event);
}
