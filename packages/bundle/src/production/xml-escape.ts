/**
 * XML 1.0 text for the EDRM XML writer (W3C XML 1.0 §2.2, §2.4, §3.3.3).
 */

/**
 * Characters XML 1.0 cannot carry at all, not even as character references (§2.2 `Char`): C0 controls other than
 * TAB, LF and CR, lone surrogates, U+FFFE and U+FFFF.
 */
// eslint-disable-next-line no-control-regex -- XML 1.0 forbids these control characters
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTRIBUTE_SPECIAL = /[&<>"\t\n\r]/g;
const REFERENCES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** The result of escaping: the XML text and how many characters had to be replaced by U+FFFD. */
export interface TXmlEscaped {
  readonly text: string;
  readonly replaced: number;
}

function replaceNonXml(value: string): TXmlEscaped {
  let replaced = 0;
  const text = value.replace(NOT_XML_CHAR, () => {
    replaced++;
    return '\ufffd';
  });
  return { text, replaced };
}

/**
 * Character data: `&`, `<`, `>` (so `]]>` never appears) and CR (which parsers would turn into LF) become
 * references; characters XML 1.0 cannot represent become U+FFFD and are counted.
 */
export function escapeXmlText(value: string): TXmlEscaped {
  const { text, replaced } = replaceNonXml(value);
  return { text: text.replace(TEXT_SPECIAL, (c) => REFERENCES[c] ?? c), replaced };
}

/**
 * A double-quoted attribute value: as {@link escapeXmlText}, plus `"`, and TAB, LF and CR as character references,
 * because attribute-value normalization (§3.3.3) would otherwise turn them into spaces.
 */
export function escapeXmlAttribute(value: string): TXmlEscaped {
  const { text, replaced } = replaceNonXml(value);
  return { text: text.replace(ATTRIBUTE_SPECIAL, (c) => REFERENCES[c] ?? c), replaced };
}
