/**
 * A quick scan of JSON text for a member name written twice in one object, which I-JSON forbids (RFC 7493 §2.3)
 * and `JSON.parse` lets through, keeping the last. Ingest parses request bodies with `JSON.parse` (the strict
 * parser builds the same values at about 1.5 times its cost), so it runs this scan beside it to refuse such a body.
 */

/** A member name written twice in one object: see `findDuplicateMemberName`. */
export interface TDuplicateMember {
  /** The member name, unescaped (`"\u0061"` and `"a"` are both `a`). */
  readonly name: string;
  /** The object holding it, as a JSON Pointer (RFC 6901): `''` for the top-level object, `/events/3/metadata` below. */
  readonly pointer: string;
  /** UTF-16 index of the second occurrence's opening quote. */
  readonly offset: number;
}

/** The state of a container the scan has entered, saved while it is inside a child. */
interface TFrame {
  /** The names seen so far in this object; `null` for an array, or for the top level. */
  readonly names: string[] | Set<string> | null;
  /** Whether this frame is an array (counting its elements by their commas). */
  readonly array: boolean;
  /** The current element's index, in an array. */
  readonly index: number;
  /** The current member's name, in an object. */
  readonly name: string;
}

/** Objects with more names than this keep them in a Set: an array's `includes` would make a hostile body quadratic. */
const LINEAR_NAMES = 16;

/**
 * The first member name that appears twice in one object of the JSON `text`, or `undefined`.
 *
 * Contract: for text that is JSON (RFC 8259) the answer is exact. The scan validates nothing, so for other text it
 * may name a "duplicate" (`{"a": "a":}`); a caller that must tell confirms with `parseStrictJson`, whose
 * `duplicate_key` error gives the line and column. It never throws, allocates no more than the text's nesting
 * needs, and runs in time linear in the text (one pass; names in large objects are looked up in a Set).
 *
 * ```ts
 * findDuplicateMemberName('{"events":[{},{"a":1,"\\u0061":2}]}'); // { name: 'a', pointer: '/events/1', offset: 22 }
 * ```
 */
export function findDuplicateMemberName(text: string): TDuplicateMember | undefined {
  const parents: TFrame[] = [];
  let names: string[] | Set<string> | null = null;
  let array = false;
  let index = 0;
  let name = '';
  // The last string's quotes, and whether it held an escape.
  let start = -1;
  let end = -1;
  let escaped = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      start = i;
      escaped = false;
      for (i++; i < length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x22) break;
        if (d === 0x5c) {
          escaped = true;
          i++;
        }
      }
      end = i;
      continue;
    }
    if (c === 0x3a) {
      // A colon outside strings follows a member name.
      if (names === null || start < 0) continue;
      const member = escaped ? unescape(text.slice(start, end + 1)) : text.slice(start + 1, end);
      if (Array.isArray(names)) {
        if (names.includes(member)) return { name: member, pointer: pointerOf(parents), offset: start };
        names.push(member);
        if (names.length > LINEAR_NAMES) names = new Set(names);
      } else {
        if (names.has(member)) return { name: member, pointer: pointerOf(parents), offset: start };
        names.add(member);
      }
      name = member;
      start = -1;
    } else if (c === 0x7b || c === 0x5b) {
      parents.push({ names, array, index, name });
      names = c === 0x7b ? [] : null;
      array = c === 0x5b;
      index = 0;
      name = '';
    } else if (c === 0x7d || c === 0x5d) {
      const parent = parents.pop();
      names = parent?.names ?? null;
      array = parent?.array ?? false;
      index = parent?.index ?? 0;
      name = parent?.name ?? '';
    } else if (c === 0x2c && array) {
      index++;
    }
  }
  return undefined;
}

/** A quoted name with escapes, unescaped; as written if its escapes are not JSON's (the text is not JSON then). */
function unescape(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/** The JSON Pointer of the object being scanned: each parent's member name or element index, below the top level. */
function pointerOf(parents: readonly TFrame[]): string {
  // The first frame is the top level; each later one is a container entered, holding the way down to the next.
  const ways = parents.slice(1).map((frame) => (frame.array ? String(frame.index) : frame.name));
  return ways.map((way) => `/${way.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
