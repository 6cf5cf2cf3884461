import { canonicalize } from '@custody/schema';
import { describe, expect, it } from 'vitest';

import { ColumnStore } from './store';

const enc = new TextEncoder();

/** Adds one line to a fresh store and reads its columns back. */
function read(line: string) {
  const store = new ColumnStore();
  const bytes = enc.encode(line);
  const row = store.addRow(0, 0, store.addBlock(bytes), bytes, 0, bytes.length);
  const v = (dictionary: { values: string[] }, id: number): string | null => (id < 0 ? null : (dictionary.values[id] as string));
  const metaStart = store.metaStart(row);
  const meta: Record<string, string> = {};
  for (let j = metaStart; j < (store.metaEnd.array[row] as number); j++) {
    meta[store.metaKey.values[store.metaKeyCol.array[j] as number] as string] = store.metaValue.values[store.metaValueCol.array[j] as number] as string;
  }
  return {
    seq: store.seq.array[row], time: store.time.array[row], action: v(store.action, store.actionCol.array[row] as number),
    actor: [v(store.actorType, store.actorTypeCol.array[row] as number), v(store.actorId, store.actorIdCol.array[row] as number), v(store.actorName, store.actorNameCol.array[row] as number)],
    ip: v(store.ip, store.ipCol.array[row] as number), ua: v(store.ua, store.uaCol.array[row] as number), targets: store.targets(row), meta,
    problem: store.readProblems.get(row), words: [...Array(store.terms.size).keys()].map((id) => store.terms.text(id)).sort(),
    // Request and session ids are searched in the free-text pool, not the term dictionary.
    freeWords: ['req', 'ab', 'reqab', 're', 'agent'].filter((word) => {
      const mask = new Uint8Array(1);
      store.freeText.markWord(word, false, 1, mask);
      return mask[0] === 1;
    }),
  };
}

const event = {
  action: 'document.shared', actor: { id: 'u\u00e9"1', metadata: { k: 'skip me' }, name: 'Zoë \\ "Q" \u2028', type: 'user' },
  context: { location: '2001:db8::1', request_id: 'REQ-Ab', user_agent: 'Agent/1 (\u0000 ctl)' }, id: 'x',
  metadata: { a: 'text', b: 3.5, c: true, d: null, e: -2 }, occurred_at: '2026-03-14T08:00:00.123Z', organization_id: 'org',
  received_at: '2026-03-14T08:00:01.000Z', salt: 's', seq: 123456789012, targets: [{ id: 'd1', type: 'document' }, { id: 'f\\2', name: 'Folder', type: 'folder' }],
  v: 1, version: 1,
};

describe('reading event lines', () => {
  it('the byte scanner reads canonical lines with escapes, unicode and every metadata type', () => {
    const got = read(canonicalize(event));
    expect(got).toEqual(expect.objectContaining({
      seq: 123456789012, time: Date.parse('2026-03-14T08:00:00.123Z'), action: 'document.shared', actor: ['user', 'u\u00e9"1', 'Zoë \\ "Q" \u2028'],
      ip: '2001:db8::1', ua: 'Agent/1 (\u0000 ctl)', targets: 'document:d1; folder:f\\2', meta: { a: 'text', b: '3.5', c: 'true', d: 'null', e: '-2' },
      problem: undefined,
    }));
    // Words as the server makes them (actor metadata and non-string metadata are not searchable).
    expect(got.words).toEqual(expect.arrayContaining(['document', 'shared', 'zoë', 'q', 'agent', 'folder', 'text', 'u\u00e9', '1']));
    expect(got.words).not.toContain('skip');
    expect(got.freeWords).toEqual(['req', 'ab']);
  });

  it('non-canonical JSON falls back to JSON.parse with the same result; non-JSON is a read problem', () => {
    const pretty = JSON.stringify(event, null, 1).replaceAll('\n', ' ');
    const a = read(canonicalize(event));
    const b = read(pretty);
    expect(b).toEqual(a);
    expect(read('{"seq":1,"action":"a.b"} trailing').problem).toMatch(/not valid JSON/);
    expect(read('[1,2]').problem).toMatch(/not a JSON object/);
    expect(read('{"seq":2,"occurred_at":"2026-02-31T00:00:00.000Z","action":"a.b"}').action).toBe('a.b');
  });
});

describe('cutting a stream of bytes into lines', () => {
  /** What one row holds, to compare two stores row by row. */
  function rowsOf(store: ColumnStore): unknown[] {
    const out: unknown[] = [];
    const v = (dictionary: { values: string[] }, id: number): string | null => (id < 0 ? null : (dictionary.values[id] as string));
    for (let row = 0; row < store.rows; row++) {
      out.push({
        line: store.line.array[row], start: store.rawStart.array[row], length: store.rawLength.array[row], seq: store.seq.array[row],
        time: store.time.array[row], action: v(store.action, store.actionCol.array[row] as number), ip: v(store.ip, store.ipCol.array[row] as number),
        actor: v(store.actorId, store.actorIdCol.array[row] as number), targets: store.targets(row), problem: store.readProblems.get(row),
      });
    }
    return out;
  }

  const lines = [
    canonicalize(event),
    canonicalize({ ...event, seq: 2, action: 'user.login' }),
    JSON.stringify(event, null, 1).replaceAll('\n', ' '), // whitespace: the fallback reads it
    `${canonicalize({ ...event, seq: 4 })}\r`, // a trailing carriage return
    '', // an empty line
    '{"seq":6,"action":"a.b","x":"back\\', // a backslash, then the newline: the line ends there
    '"}',
    '{"seq":8,"action":"a.b","x":[1,', // a newline inside a skipped array ends the line too
    '2]}',
    '{"seq":10,"action":"raw', // a newline inside a string
    'newline"}',
    'not json at all',
    canonicalize({ ...event, seq: 13, targets: [] }),
  ];
  const text = enc.encode(`${lines.join('\n')}\n${canonicalize({ ...event, seq: 14 })}`); // the last line has no newline

  /** The lines split at every newline, each added on its own: the reference. */
  function reference(): ColumnStore {
    const store = new ColumnStore();
    const block = store.addBlock(text);
    let start = 0;
    let line = 0;
    for (let nl = text.indexOf(10); nl >= 0; nl = text.indexOf(10, start)) {
      store.addRow(0, line++, block, text, start, nl);
      start = nl + 1;
    }
    store.addRow(0, line, block, text, start, text.length);
    return store;
  }

  it.each([[1], [7], [64], [1000], [text.length]])('addLines over bytes arriving %i at a time gives the same rows as splitting at each newline', (step) => {
    const store = new ColumnStore();
    const block = store.addBlock(text);
    let lineStart = 0;
    let line = 0;
    for (let used = Math.min(step, text.length), searched = 0; ; used = Math.min(used + step, text.length)) {
      lineStart = store.addLines(0, line, block, text, lineStart, used, searched, () => line++);
      searched = used;
      if (used === text.length) break;
    }
    expect(lineStart).toBeLessThan(text.length); // the last line has no newline: still open
    store.addRow(0, line, block, text, lineStart, text.length);
    const want = rowsOf(reference());
    expect(want).toHaveLength(lines.length + 1);
    expect(rowsOf(store)).toEqual(want);
  });
});
