const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Names longer than this (never a valid key) are cut, so a hostile key is not echoed in full. */
const MAX_SEGMENT_LENGTH = 256;
const CUT_SEGMENT_LENGTH = 64;

/**
 * Formats a path (as zod reports it: property names and array indexes) the way a JavaScript developer would
 * write the access: `targets[1].type`, `metadata.plan`, `metadata["billing.plan"]`, `''` for the root.
 *
 * Names that are not identifiers are written as JSON strings in brackets, so every path is unambiguous even
 * when a metadata key contains dots, brackets or quotes. Names longer than 256 characters (longer than any
 * valid key) are cut to their first 64 characters followed by `…`.
 *
 * ```ts
 * formatIssuePath(['targets', 1, 'type']);   // 'targets[1].type'
 * formatIssuePath(['metadata', 'a.b']);      // 'metadata["a.b"]'
 * ```
 */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else if (typeof segment === 'symbol') {
      out += `[${segment.toString()}]`;
    } else if (segment.length > MAX_SEGMENT_LENGTH) {
      out += `[${JSON.stringify(`${segment.slice(0, CUT_SEGMENT_LENGTH)}\u2026`)}]`;
    } else if (IDENTIFIER.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      out += `[${JSON.stringify(segment)}]`;
    }
  }
  return out;
}
