/**
 * Escaping for the self-contained HTML report. Every piece of data (matter names, event values, notes, key names)
 * passes through one of these; templates never interpolate raw data.
 */

const HTML_SPECIAL = /[&<>"']/g;
const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for an HTML text node or a quoted attribute value (HTML Living Standard §13.1.2.6): `&`, `<`, `>`,
 * `"` and `'` become character references. Non-strings are converted with `String`.
 *
 * ```ts
 * escapeHtml('<b>"Tom" & Jerry</b>');   // '&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: unknown): string {
  return String(text).replace(HTML_SPECIAL, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * A CSS string literal (CSS Syntax Level 3 §4.3.5) that is safe inside a `<style>` element whatever the text: every
 * code point other than `A-Z a-z 0-9` and space is written as a six-digit hex escape followed by a space
 * (`<` → `\00003c `), so no `<`, `"`, `\`, newline or `}` of the data reaches the style sheet.
 */
export function cssString(text: string): string {
  let out = '"';
  for (const c of text) {
    if (/^[A-Za-z0-9 ]$/.test(c)) out += c;
    else out += `\\${(c.codePointAt(0) ?? 0xfffd).toString(16).padStart(6, '0')} `;
  }
  return `${out}"`;
}
