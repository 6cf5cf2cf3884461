/**
 * C2SP signed-note verifier keys (`<name>+<key hash, 8 hex>+<base64 key>`): the parts the UI shows.
 */

/** The key's name (before the first `+`), or the whole text when it has no `+`. */
export function vkeyName(vkey: string): string {
  const plus = vkey.indexOf('+');
  return plus <= 0 ? vkey : vkey.slice(0, plus);
}

/** The 8-hex-digit key hash (the second field), or `null` when the text is not in vkey form. */
export function vkeyHash(vkey: string): string | null {
  const parts = vkey.split('+');
  return parts.length >= 3 && /^[0-9a-f]{8}$/i.test(parts[1] ?? '') ? (parts[1] ?? null) : null;
}
