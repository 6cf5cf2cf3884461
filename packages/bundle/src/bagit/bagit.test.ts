import { describe, expect, it } from 'vitest';

import {
  BAGIT_TXT, checkBagComplete, checkBagValid, checkBagitTxt, decodeManifestPath, encodeManifestPath, formatBagInfo,
  formatManifest, getBagInfo, parseBagInfo, parseManifest, parsePayloadOxum,
} from './bagit';

const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);

describe('bagit.txt', () => {
  it('accepts the one we write and rejects other versions and encodings', () => {
    expect(checkBagitTxt(BAGIT_TXT)).toEqual([]);
    expect(checkBagitTxt('BagIt-Version: 0.96\nTag-File-Character-Encoding: UTF-8\n')[0]?.code).toBe('BAD_BAGIT');
    expect(checkBagitTxt('BagIt-Version: 1.0\nTag-File-Character-Encoding: ISO-8859-1\n')[0]?.code).toBe('BAD_BAGIT');
    expect(checkBagitTxt('hello\n')[0]?.code).toBe('BAD_BAGIT');
  });
});

describe('bag-info.txt', () => {
  it('round-trips labels, keeps order and repeats, reads continuation lines', () => {
    const text = formatBagInfo([{ label: 'Source-Organization', value: 'ACME' }, { label: 'Contact-Name', value: 'A' }, { label: 'Contact-Name', value: 'B' }]);
    expect(text).toBe('Source-Organization: ACME\nContact-Name: A\nContact-Name: B\n');
    const parsed = parseBagInfo(`${text}External-Description: a long\n  description\r\n`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.fields.filter((f) => f.label === 'Contact-Name').map((f) => f.value)).toEqual(['A', 'B']);
    expect(getBagInfo(parsed.fields, 'external-description')).toBe('a long description');
  });

  it('refuses values that would break the format', () => {
    expect(() => formatBagInfo([{ label: 'X', value: 'two\nlines' }])).toThrow(/one line/);
    expect(() => formatBagInfo([{ label: 'Bad Label', value: 'x' }])).toThrow(/label/);
  });

  it('reports lines that are not "Label: value"', () => {
    expect(parseBagInfo('no colon here\n').problems[0]?.code).toBe('BAD_BAG_INFO');
  });
});

describe('manifests', () => {
  it('writes two spaces (sha256sum format) and parses one or more spaces or tabs', () => {
    const text = formatManifest([{ path: 'data/a.txt', sha256: H1 }, { path: 'data/b c.txt', sha256: H2 }]);
    expect(text).toBe(`${H1}  data/a.txt\n${H2}  data/b c.txt\n`);
    const parsed = parseManifest(`${H1}\tdata/a.txt\n${H2.toUpperCase()}   data/b c.txt\n`, 'manifest-sha256.txt');
    expect(parsed.problems).toEqual([]);
    expect([...parsed.entries]).toEqual([['data/a.txt', H1], ['data/b c.txt', H2]]);
  });

  it('percent-encodes CR, LF and % in paths (RFC 8493 §2.1.3)', () => {
    expect(encodeManifestPath('data/100%\n.txt')).toBe('data/100%25%0A.txt');
    expect(decodeManifestPath('data/100%25%0a.txt')).toBe('data/100%\n.txt');
  });

  it('reports malformed lines, duplicates and unsafe paths', () => {
    const parsed = parseManifest(`${H1}  data/a\n${H1}  data/a\nxyz  data/b\n${H1}  ../etc/passwd\n`, 'm');
    expect(parsed.problems.map((p) => p.line)).toEqual([2, 3, 4]);
  });
});

describe('Payload-Oxum', () => {
  it('parses octets.streams', () => {
    expect(parsePayloadOxum('279164409832.1198')).toEqual({ octets: 279164409832, streams: 1198 });
    expect(parsePayloadOxum('12')).toBeUndefined();
    expect(parsePayloadOxum('01.2')).toBeUndefined();
  });
});

describe('checkBagComplete and checkBagValid', () => {
  const files = [
    { path: 'bagit.txt', size: 10 }, { path: 'bag-info.txt', size: 10 }, { path: 'manifest-sha256.txt', size: 10 },
    { path: 'tagmanifest-sha256.txt', size: 10 }, { path: 'data/a.txt', size: 3 }, { path: 'data/b.txt', size: 4 },
  ];
  const manifest = new Map([['data/a.txt', H1], ['data/b.txt', H2]]);
  const tagManifest = new Map([['bagit.txt', H1], ['bag-info.txt', H1], ['manifest-sha256.txt', H1]]);

  it('passes a complete bag and checks Payload-Oxum', () => {
    expect(checkBagComplete({ files, manifest, tagManifest, bagInfo: [{ label: 'Payload-Oxum', value: '7.2' }] })).toEqual([]);
    expect(checkBagComplete({ files, manifest, tagManifest, bagInfo: [{ label: 'Payload-Oxum', value: '8.2' }] })[0]).toMatchObject({ code: 'OXUM_MISMATCH', expected: '8.2', found: '7.2' });
  });

  it('finds unlisted payload, missing files and unlisted tag files', () => {
    const problems = checkBagComplete({
      files: [...files.filter((f) => f.path !== 'data/b.txt'), { path: 'data/extra.txt', size: 1 }, { path: 'notes.txt', size: 1 }],
      manifest, tagManifest,
    });
    expect(problems.map((p) => [p.code, p.file])).toEqual([
      ['UNLISTED_FILE', 'data/extra.txt'], ['UNLISTED_FILE', 'notes.txt'], ['MISSING_FILE', 'data/b.txt'],
    ]);
  });

  it('verifies checksums for "valid"', async () => {
    const problems = await checkBagValid({ files, manifest, tagManifest }, (path) => Promise.resolve(path === 'data/b.txt' ? H1 : path.startsWith('data/') ? H1 : H1));
    expect(problems).toEqual([expect.objectContaining({ code: 'CHECKSUM_MISMATCH', file: 'data/b.txt', expected: H2, found: H1 })]);
  });
});
