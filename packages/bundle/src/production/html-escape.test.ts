import { describe, expect, it } from 'vitest';

import { cssString, escapeHtml } from './html-escape';

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml('<script>alert("x")</script> & \'y\'')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeHtml('\u05e9\u05dc\u05d5\u05dd \ud83d\ude00')).toBe('\u05e9\u05dc\u05d5\u05dd \ud83d\ude00');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('cssString', () => {
  it('escapes everything but letters, digits and spaces', () => {
    expect(cssString('Acme v. Globex')).toBe('"Acme v\\00002e  Globex"');
    expect(cssString('</style><script>')).toBe('"\\00003c \\00002f style\\00003e \\00003c script\\00003e "');
    expect(cssString('"\\\n}')).toBe('"\\000022 \\00005c \\00000a \\00007d "');
    expect(cssString('\ud83d\ude00')).toBe('"\\01f600 "');
  });

  it('never lets a quote, backslash, angle bracket or line break through', () => {
    let all = '';
    for (let cp = 0; cp < 0x300; cp++) all += String.fromCodePoint(cp);
    const inner = cssString(all).slice(1, -1);
    expect(inner).not.toMatch(/["<>\n\r{}]/);
    expect(inner.replace(/\\[0-9a-f]{6} /g, '')).toMatch(/^[A-Za-z0-9 ]*$/);
  });
});
