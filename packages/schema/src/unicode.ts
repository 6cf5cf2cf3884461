/**
 * Well-formed Unicode checks. RFC 8785 §3.2.2.2 and I-JSON (RFC 7493 §2.1) forbid lone surrogates, and a
 * lone surrogate cannot be encoded as UTF-8, so every string that reaches the log must be well formed.
 */

// Without the `u` flag a regular expression sees UTF-16 code units, which is what we need here.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// ES2024 `String.prototype.isWellFormed` (Node 20, Chrome 111, Safari 16.4, Firefox 119) is native and fast;
// the regular expression above is the fallback for older engines. The lib typings stop at ES2023.
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/**
 * Returns `true` when `text` contains no lone surrogate, i.e. it is a sequence of Unicode scalar values and
 * can be encoded as UTF-8 without loss.
 *
 * ```ts
 * isWellFormedString('\ud83d\ude02'); // true  (a surrogate pair: U+1F602)
 * isWellFormedString('\ud83d');       // false (a lone high surrogate)
 * ```
 */
export function isWellFormedString(text: string): boolean {
  return nativeIsWellFormed === undefined ? !LONE_SURROGATE.test(text) : nativeIsWellFormed.call(text);
}

/**
 * Returns the UTF-16 index of the first lone surrogate in `text`, or `-1` when the string is well formed.
 * Used to build precise error messages.
 */
export function findLoneSurrogate(text: string): number {
  const match = LONE_SURROGATE.exec(text);
  return match === null ? -1 : match.index;
}

/**
 * Describes the first lone surrogate of a string for an error message, e.g.
 * `contains a lone surrogate (U+D800) at index 3; strings must be well-formed Unicode`.
 * Precondition: `findLoneSurrogate(text) >= 0`.
 */
export function describeLoneSurrogate(text: string): string {
  const index = findLoneSurrogate(text);
  const unit = text.charCodeAt(index).toString(16).toUpperCase();
  return `contains a lone surrogate (U+${unit}) at index ${index}; strings must be well-formed Unicode`;
}
