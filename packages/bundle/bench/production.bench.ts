/**
 * Production-format benchmark: rows/s of the CSV, DAT (UTF-8 and windows-1252) and withholding-log writers on
 * 1,000,000 events, including batching and encoding to bytes (`createChunkEncoder`, 64 Ki characters per chunk),
 * i.e. everything between a parsed event and the bytes handed to the zip layer. A script that prints figures, not a
 * vitest bench; not wired into npm scripts.
 *
 *   npx tsx bench/production.bench.ts                 # from packages/bundle
 *   BENCH_ROWS=100000 npx tsx bench/production.bench.ts
 *
 * Goal: each writer well over 500,000 rows/s, so a 1M-event export spends < 2 s on them. The first row is a
 * calibration (the same pipeline writing `JSON.stringify(event)`), so figures from different machines can be compared
 * as a ratio; wall and CPU time are both printed because shared build machines are often oversubscribed.
 */
import { createHash } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';

import { encodeBase64, hashLeaf } from '@custody/ledger';
import { createLoggedEvent, parseLoggedEvent, validateEvent } from '@custody/schema';
import type { TLoggedEvent } from '@custody/schema';

import {
  ControlNumberSequence,
  createChunkEncoder,
  createEventCsvWriter,
  createEventDatWriter,
  createWithholdingLogWriter,
  formatCheckpointId,
  requiredControlWidth,
} from '../src/production/index';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DISTINCT = 1000;
const GOAL = 500_000;

/** 1,000 realistic, varied events (names, agents, targets, metadata), reused cyclically. */
function makeEvents(): { event: TLoggedEvent; leafHash: Uint8Array; sha256: Uint8Array }[] {
  const actions = ['user.signed_in', 'document.shared', 'document.deleted', 'api_key.created', 'role.granted'];
  const names = ['Alice Martin', 'Bob O\u2019Neil', 'Chlo\u00e9 Dubois', 'Dana, Reyes', 'Erik "the admin" Larsen', 'Fran\u00e7ois M\u00fcller'];
  const out = [];
  for (let i = 0; i < DISTINCT; i++) {
    const result = validateEvent({
      action: actions[i % actions.length],
      occurred_at: new Date(Date.UTC(2026, 2, 1) + i * 61_000).toISOString(),
      actor: { id: `user_${(i * 7919) % 5000}`, type: 'user', name: names[i % names.length] },
      targets: Array.from({ length: i % 3 }, (_, t) => ({ id: `doc_${i}_${t}`, type: 'document', name: `Quarterly report ${t}` })),
      context: {
        location: i % 2 === 0 ? `10.0.${i % 256}.${(i * 3) % 256}` : `2001:db8::${(i % 65535).toString(16)}`,
        user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
        request_id: `req_${i.toString(36)}`,
        ...(i % 4 === 0 ? { session_id: `sess_${i}` } : {}),
      },
      metadata: { permission: i % 2 === 0 ? 'view' : 'edit', expires_in_days: i % 30, notify: i % 3 === 0, ip_country: 'FR' },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { event, bytes } = createLoggedEvent(result.event, {
      organizationId: 'org_acme',
      seq: i,
      id: `019ceb74-9cbc-7c1e-8b0f-${(0x3d2a9e6c4b71 + i).toString(16).padStart(12, '0')}`,
      receivedAt: new Date(Date.UTC(2026, 2, 1) + i * 61_000 + 120).toISOString(),
      salt: encodeBase64(createHash('sha256').update(String(i)).digest().subarray(0, 16)),
    });
    void event;
    // As the exporter does: events are read back from their canonical bytes (sorted keys, zod output).
    const parsed = parseLoggedEvent(bytes);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    out.push({ event: parsed.event, leafHash: hashLeaf(bytes), sha256: new Uint8Array(createHash('sha256').update(bytes).digest()) });
  }
  return out;
}

interface Result {
  readonly name: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly bytes: number;
  readonly peakHeapMiB: number;
}

/** Runs `row` ROWS times through a chunk encoder; returns the time and bytes. */
function measure(name: string, encode: (text: string) => Uint8Array, header: string, row: (i: number) => string, rows = ROWS): Result {
  const chunks = createChunkEncoder(encode);
  let bytes = 0;
  let peakHeap = 0;
  const take = (chunk: Uint8Array | undefined) => {
    if (chunk !== undefined) bytes += chunk.length; // a real export writes the chunk to the zip stream here
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  take(chunks.push(header));
  for (let i = 0; i < rows; i++) {
    take(chunks.push(row(i)));
    if ((i & 0x3ffff) === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  take(chunks.flush());
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  return { name, seconds, cpuSeconds: (used.user + used.system) / 1e6, bytes, peakHeapMiB: peakHeap / 2 ** 20 };
}

function main(): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`production bench: ${ROWS.toLocaleString('en-US')} rows; ${cpus().length} x ${cpu}; ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const events = makeEvents();
  const pick = (i: number) => events[i % DISTINCT] as (typeof events)[number];
  const width = requiredControlWidth(1, ROWS);
  const checkpointId = formatCheckpointId('audit.example.com/org/acme', ROWS);

  const runs: ((rows: number) => Result)[] = [
    // Calibration: the same pipeline writing JSON.stringify(event) + LF, i.e. V8's native serializer on the same
    // data. Writer figures are most comparable across machines as a ratio to this one.
    (rows) => measure('reference: JSON.stringify(event)', (text) => new TextEncoder().encode(text), '', (i) => `${JSON.stringify(pick(i).event)}\n`, rows),
    (rows) => {
      const numbers = new ControlNumberSequence({ prefix: 'ACME', width, count: ROWS });
      const csv = createEventCsvWriter();
      return measure('CSV (formula guard on)', csv.encode, csv.header(), (i) => {
        const e = pick(i);
        return csv.row(e.event, { controlNumber: numbers.next(), leafHash: e.leafHash });
      }, rows);
    },
    (rows) => {
      const numbers = new ControlNumberSequence({ prefix: 'ACME', width, count: ROWS });
      const dat = createEventDatWriter({ custodian: 'Acme Corp. IT Security', source: 'audit.example.com/org/acme', checkpointId });
      return measure('DAT UTF-8', dat.encode, dat.header(), (i) => {
        const e = pick(i);
        return dat.row(e.event, { controlNumber: numbers.next(), leafHash: e.leafHash, sha256: e.sha256 });
      }, rows);
    },
    (rows) => {
      const numbers = new ControlNumberSequence({ prefix: 'ACME', width, count: ROWS });
      const dat = createEventDatWriter({ custodian: 'Acme Corp. IT Security', source: 'audit.example.com/org/acme', checkpointId, encoding: 'cp1252' });
      return measure('DAT windows-1252', dat.encode, dat.header(), (i) => {
        const e = pick(i);
        return dat.row(e.event, { controlNumber: numbers.next(), leafHash: e.leafHash, sha256: e.sha256 });
      }, rows);
    },
    (rows) => {
      const log = createWithholdingLogWriter();
      return measure('withholding log', log.encode, log.header(), (i) =>
        log.row({ seq: i, leafHash: pick(i).leafHash, reason: i % 10 === 0 ? 'purged' : 'filtered_out', policy: 'default retention (400 days)' }),
      rows);
    },
  ];

  // Warm up each writer (JIT) on 50,000 rows, then measure ROWS rows.
  for (const run of runs) run(Math.min(50_000, ROWS));
  console.log('');
  console.log('| writer | rows/s (wall) | time for the rows | CPU time | CPU vs reference | output | MB/s | peak heap | goal (> 500,000 rows/s) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  let reference = 0;
  for (const run of runs) {
    const result = run(ROWS);
    const rate = ROWS / result.seconds;
    if (reference === 0) reference = result.cpuSeconds;
    console.log(
      `| ${result.name} | ${Math.round(rate).toLocaleString('en-US')} | ${result.seconds.toFixed(2)} s | ${result.cpuSeconds.toFixed(2)} s | ${(result.cpuSeconds / reference).toFixed(2)}x | ${(result.bytes / 1e6).toFixed(1)} MB | ${(result.bytes / 1e6 / result.seconds).toFixed(0)} | ${result.peakHeapMiB.toFixed(0)} MiB | ${rate > GOAL ? 'met' : 'NOT met'} |`,
    );
  }
}

main();
