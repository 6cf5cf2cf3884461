/**
 * BagIt 1.0 (RFC 8493): the tag files `bagit.txt`, `bag-info.txt`, `manifest-sha256.txt` and
 * `tagmanifest-sha256.txt`, Payload-Oxum, and the "complete" and "valid" checks (§3).
 *
 * Manifest lines are written `<hex>  <path>` (two spaces, like `sha256sum`, so `sha256sum -c manifest-sha256.txt`
 * works from the bag root) and parsed with one or more spaces or tabs between the fields. Paths are relative to
 * the bag root with `/` separators; CR, LF and `%` in paths are percent-encoded (§2.1.3).
 */
import { BundleError } from '../errors';
import { formatByteSize, isSingleLineText } from '../text';

/** The one `bagit.txt` we write and accept (§2.1.1). */
export const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
export const BAGIT_FILE = 'bagit.txt';
export const BAG_INFO_FILE = 'bag-info.txt';
export const PAYLOAD_MANIFEST_FILE = 'manifest-sha256.txt';
export const TAG_MANIFEST_FILE = 'tagmanifest-sha256.txt';
export const PAYLOAD_DIRECTORY = 'data/';

/** A problem found by the BagIt checks. */
export interface BagProblem {
  readonly code: 'BAD_BAGIT' | 'BAD_BAG_INFO' | 'BAD_MANIFEST' | 'MISSING_FILE' | 'UNLISTED_FILE' | 'CHECKSUM_MISMATCH' | 'OXUM_MISMATCH';
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly expected?: string;
  readonly found?: string;
}

/** One `Label: value` line of `bag-info.txt`, in file order (labels may repeat). */
export interface BagInfoField {
  readonly label: string;
  readonly value: string;
}

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Formats `bag-info.txt`. Labels must match `[A-Za-z0-9][A-Za-z0-9_.-]*`; values must be one line of visible text
 * (no control characters). Throws `INVALID_ARGUMENT` otherwise.
 */
export function formatBagInfo(fields: readonly BagInfoField[]): string {
  let out = '';
  for (const { label, value } of fields) {
    if (!LABEL.test(label)) throw new BundleError('INVALID_ARGUMENT', `bag-info label ${JSON.stringify(label)} is not valid`);
    if (typeof value !== 'string' || !isSingleLineText(value) || value !== value.trim()) {
      throw new BundleError('INVALID_ARGUMENT', `bag-info value of ${label} must be one line of text without control characters or surrounding spaces`);
    }
    out += `${label}: ${value}\n`;
  }
  return out;
}

/** Splits text into lines (LF, CRLF or CR, §2.1.2); a final line ending is optional. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Parses `bag-info.txt` (§2.2.2): `Label: value` lines; lines starting with space or tab continue a value. */
export function parseBagInfo(text: string, file = BAG_INFO_FILE): { fields: BagInfoField[]; problems: BagProblem[] } {
  const fields: { label: string; value: string }[] = [];
  const problems: BagProblem[] = [];
  splitLines(text).forEach((line, i) => {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      const last = fields[fields.length - 1] as { label: string; value: string };
      last.value += ` ${line.trim()}`;
      return;
    }
    const match = /^([^:\s][^:]*?)[ \t]*:[ \t]+(.*)$/.exec(line) ?? /^([^:\s][^:]*?)[ \t]*:()$/.exec(line);
    if (match === null) {
      problems.push({ code: 'BAD_BAG_INFO', file, line: i + 1, message: `not a "Label: value" line: ${JSON.stringify(line.slice(0, 100))}` });
      return;
    }
    fields.push({ label: match[1] as string, value: (match[2] as string).trim() });
  });
  return { fields, problems };
}

/** The value of the first field with `label` (case-insensitive), or `undefined`. */
export function getBagInfo(fields: readonly BagInfoField[], label: string): string | undefined {
  const lower = label.toLowerCase();
  return fields.find((field) => field.label.toLowerCase() === lower)?.value;
}

/** `bagit.txt` problems: it must declare BagIt-Version 1.0 (0.97 accepted) and UTF-8 tag files. */
export function checkBagitTxt(text: string): BagProblem[] {
  const lines = splitLines(text);
  const version = /^BagIt-Version: (\d+\.\d+)$/.exec(lines[0] ?? '');
  const encoding = /^Tag-File-Character-Encoding: (.+)$/.exec(lines[1] ?? '');
  const problems: BagProblem[] = [];
  if (lines.length !== 2 || version === null || encoding === null) {
    problems.push({ code: 'BAD_BAGIT', file: BAGIT_FILE, message: 'bagit.txt must be exactly "BagIt-Version: M.N" and "Tag-File-Character-Encoding: ENC"' });
    return problems;
  }
  if (version[1] !== '1.0' && version[1] !== '0.97') {
    problems.push({ code: 'BAD_BAGIT', file: BAGIT_FILE, message: `unsupported BagIt version ${version[1] ?? ''}`, expected: '1.0', found: version[1] });
  }
  if ((encoding[1] ?? '').toUpperCase() !== 'UTF-8') {
    problems.push({ code: 'BAD_BAGIT', file: BAGIT_FILE, message: 'tag files must be UTF-8', expected: 'UTF-8', found: encoding[1] });
  }
  return problems;
}

/** Percent-encodes CR, LF and `%` in a manifest path (§2.1.3). */
export function encodeManifestPath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Decodes `%0D`, `%0A` and `%25` (either case); other `%` sequences are kept as they are. */
export function decodeManifestPath(path: string): string {
  return path.replace(/%(0[dDaA]|25)/g, (match) => (match.toUpperCase() === '%0D' ? '\r' : match.toUpperCase() === '%0A' ? '\n' : '%'));
}

/** One manifest line. */
export interface ManifestEntry {
  readonly path: string;
  /** Lowercase hex SHA-256. */
  readonly sha256: string;
}

/** Formats a manifest: `<hex>  <path>\n` per entry, in the given order. */
export function formatManifest(entries: readonly ManifestEntry[]): string {
  let out = '';
  for (const { path, sha256 } of entries) {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new BundleError('INVALID_ARGUMENT', `manifest hash of ${path} must be 64 lowercase hex digits`);
    out += `${sha256}  ${encodeManifestPath(path)}\n`;
  }
  return out;
}

/**
 * Parses a SHA-256 manifest: `<64 hex digits><one or more spaces or tabs><path>` per line. Duplicate paths,
 * malformed lines and unsafe paths (absolute, `..`, backslash, empty segments) are problems.
 */
export function parseManifest(text: string, file: string): { entries: Map<string, string>; problems: BagProblem[]; lines: Map<string, number> } {
  const entries = new Map<string, string>();
  const lines = new Map<string, number>();
  const problems: BagProblem[] = [];
  splitLines(text).forEach((line, i) => {
    const match = /^([0-9a-fA-F]{64})[ \t]+(.+)$/.exec(line);
    if (match === null) {
      problems.push({ code: 'BAD_MANIFEST', file, line: i + 1, message: `not a "<sha256>  <path>" line: ${JSON.stringify(line.slice(0, 120))}` });
      return;
    }
    const path = decodeManifestPath(match[2] as string);
    if (path.startsWith('/') || path.includes('\\') || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      problems.push({ code: 'BAD_MANIFEST', file, line: i + 1, message: `unsafe path ${JSON.stringify(path)}` });
      return;
    }
    if (entries.has(path)) {
      problems.push({ code: 'BAD_MANIFEST', file, line: i + 1, message: `duplicate path ${JSON.stringify(path)}` });
      return;
    }
    entries.set(path, (match[1] as string).toLowerCase());
    lines.set(path, i + 1);
  });
  return { entries, problems, lines };
}

/** `Payload-Oxum: <octets>.<streams>` (§2.2.2). */
export function formatPayloadOxum(octets: number, streams: number): string {
  return `${octets}.${streams}`;
}

/** Parses Payload-Oxum; `undefined` when malformed. */
export function parsePayloadOxum(value: string): { octets: number; streams: number } | undefined {
  const match = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/.exec(value);
  if (match === null) return undefined;
  const octets = Number(match[1]);
  const streams = Number(match[2]);
  return Number.isSafeInteger(octets) && Number.isSafeInteger(streams) ? { octets, streams } : undefined;
}

/** `Bag-Size` text, e.g. `117.7 MB`. */
export function formatBagSize(octets: number): string {
  return formatByteSize(octets);
}

/** A file of a bag, by path relative to the bag root. */
export interface BagFile {
  readonly path: string;
  readonly size: number;
}

/** Inputs of {@link checkBagComplete}. */
export interface BagListing {
  /** Every file in the bag (not directories), paths relative to the bag root. */
  readonly files: readonly BagFile[];
  /** `manifest-sha256.txt` parsed. */
  readonly manifest: ReadonlyMap<string, string>;
  /** `tagmanifest-sha256.txt` parsed, if present. */
  readonly tagManifest?: ReadonlyMap<string, string>;
  /** `bag-info.txt` fields, for Payload-Oxum. */
  readonly bagInfo?: readonly BagInfoField[];
  /** Tag files allowed without being listed in the tag manifest. Default: the tag manifests themselves. */
  readonly unlistedTagFiles?: readonly string[];
}

/**
 * The "complete" check of RFC 8493 §3: the required tag files exist, every payload file (under `data/`) is in
 * the payload manifest and every manifest path exists; every other tag file is in the tag manifest (unless
 * allowed) and every tag manifest path exists; Payload-Oxum, when present, matches the payload. Checksums are
 * not computed here (see {@link checkBagValid}).
 */
export function checkBagComplete(listing: BagListing): BagProblem[] {
  const problems: BagProblem[] = [];
  const present = new Map(listing.files.map((file) => [file.path, file]));
  for (const required of [BAGIT_FILE, PAYLOAD_MANIFEST_FILE]) {
    if (!present.has(required)) problems.push({ code: 'MISSING_FILE', file: required, message: `required tag file ${required} is missing` });
  }
  const allowed = new Set(listing.unlistedTagFiles ?? [TAG_MANIFEST_FILE]);
  let octets = 0;
  let streams = 0;
  for (const file of listing.files) {
    if (file.path.startsWith(PAYLOAD_DIRECTORY)) {
      octets += file.size;
      streams += 1;
      if (!listing.manifest.has(file.path)) {
        problems.push({ code: 'UNLISTED_FILE', file: file.path, message: `payload file ${file.path} is not in ${PAYLOAD_MANIFEST_FILE}` });
      }
    } else if (!allowed.has(file.path) && file.path !== PAYLOAD_MANIFEST_FILE && !(listing.tagManifest?.has(file.path) ?? false)) {
      if (!/^tagmanifest-[a-z0-9]+\.txt$/.test(file.path)) {
        problems.push({ code: 'UNLISTED_FILE', file: file.path, message: `tag file ${file.path} is not in ${TAG_MANIFEST_FILE}` });
      }
    }
  }
  for (const path of listing.manifest.keys()) {
    if (!path.startsWith(PAYLOAD_DIRECTORY)) {
      problems.push({ code: 'BAD_MANIFEST', file: PAYLOAD_MANIFEST_FILE, message: `payload manifest lists ${path}, which is not under data/` });
    } else if (!present.has(path)) {
      problems.push({ code: 'MISSING_FILE', file: path, message: `${path} is listed in ${PAYLOAD_MANIFEST_FILE} but missing` });
    }
  }
  for (const path of listing.tagManifest?.keys() ?? []) {
    if (path.startsWith(PAYLOAD_DIRECTORY)) {
      problems.push({ code: 'BAD_MANIFEST', file: TAG_MANIFEST_FILE, message: `tag manifest lists payload file ${path}` });
    } else if (!present.has(path)) {
      problems.push({ code: 'MISSING_FILE', file: path, message: `${path} is listed in ${TAG_MANIFEST_FILE} but missing` });
    }
  }
  const oxumText = listing.bagInfo === undefined ? undefined : getBagInfo(listing.bagInfo, 'Payload-Oxum');
  if (oxumText !== undefined) {
    const oxum = parsePayloadOxum(oxumText);
    const actual = formatPayloadOxum(octets, streams);
    if (oxum === undefined) {
      problems.push({ code: 'BAD_BAG_INFO', file: BAG_INFO_FILE, message: `malformed Payload-Oxum ${JSON.stringify(oxumText)}` });
    } else if (oxum.octets !== octets || oxum.streams !== streams) {
      problems.push({ code: 'OXUM_MISMATCH', file: BAG_INFO_FILE, message: 'Payload-Oxum does not match the payload', expected: oxumText, found: actual });
    }
  }
  return problems;
}

/**
 * The "valid" check of RFC 8493 §3: complete, and every checksum in both manifests verifies. `sha256(path)`
 * returns the lowercase hex SHA-256 of a file.
 */
export async function checkBagValid(listing: BagListing, sha256: (path: string) => Promise<string>): Promise<BagProblem[]> {
  const problems = checkBagComplete(listing);
  const present = new Set(listing.files.map((file) => file.path));
  for (const [manifest, file] of [[listing.manifest, PAYLOAD_MANIFEST_FILE], [listing.tagManifest, TAG_MANIFEST_FILE]] as const) {
    for (const [path, expected] of manifest ?? []) {
      if (!present.has(path)) continue;
      const found = await sha256(path);
      if (found !== expected) {
        problems.push({ code: 'CHECKSUM_MISMATCH', file: path, message: `${path}: checksum in ${file} does not match`, expected, found });
      }
    }
  }
  return problems;
}
