/**
 * Plain-text helpers for `data/README.txt`: data made safe to print in a terminal, and paragraphs wrapped to a
 * fixed width.
 */

// C0 and C1 controls (terminal escape sequences start with ESC or CSI) and the bidirectional controls that can
// reorder what a reader sees (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069; "Trojan Source", CVE-2021-42574).
// eslint-disable-next-line no-control-regex -- making control characters visible is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * One line of data for a plain-text file: every control character, line or paragraph separator and
 * bidirectional control becomes a visible `<U+XXXX>`, so a value can neither break the layout nor send escape
 * sequences to the terminal of whoever runs `cat README.txt`.
 */
export function plainTextValue(value: unknown): string {
  return String(value).replace(UNSAFE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

/**
 * Wraps a paragraph to `width` columns (counted in code points), breaking at spaces; a word longer than the width
 * stays whole on its own line. Every line starts with `indent`; the first with `firstIndent` when given.
 */
export function wrapText(text: string, width = 78, indent = '', firstIndent = indent): string {
  const words = text.split(/ +/).filter((word) => word !== '');
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  for (const word of words) {
    const candidate = empty ? line + word : `${line} ${word}`;
    if (!empty && Array.from(candidate).length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = candidate;
    }
    empty = false;
  }
  lines.push(line);
  return lines.map((l) => l.trimEnd()).join('\n');
}
