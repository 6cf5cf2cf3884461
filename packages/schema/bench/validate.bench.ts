/**
 * @custody/schema benchmark: `npm run bench` (= `tsx bench/validate.bench.ts`). Prints figures, asserts
 * nothing. `BENCH_SECONDS=0.3 npm run bench` for a quick run (default 1 second per measurement).
 *
 * `validateEvent` on a realistic event, `JSON.parse`d from its text before each batch as the server gets it,
 * with the fast path (`fastParseEvent`) and with the full path forced (plainness walk + zod), and the parse
 * step alone on both paths, and the cost of the steps after it. Each figure is the median of 5 rounds.
 */
import { canonicalize } from '../src/canonical';
import { ZEventInputSchema } from '../src/event-schemas';
import { fastParseEvent } from '../src/fast-validate';
import { DEFAULT_LIMITS } from '../src/limits';
import { checkPlainness, validateEvent, validateEventWithoutFastPath } from '../src/validate-event';
import { markValidated } from '../src/validated-events';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '1');
const ROUNDS = 5;
const BATCH = 1_000;

const BODY =
  '{"action":"user.signed_in","occurred_at":"2026-06-01T10:00:00.000Z","actor":{"id":"user_42","type":"user","name":"Ada Lovelace"},' +
  '"targets":[{"id":"document_123","type":"document"}],"context":{"location":"10.1.2.3","user_agent":"Mozilla/5.0 (X11; Linux x86_64; ' +
  'rv:130.0) Gecko/20100101 Firefox/130.0","request_id":"req_abc"},"metadata":{"plan":"team","attempt":2,"mfa":true}}';

/** Events per second of `run` over fresh `JSON.parse`d inputs; parsing is outside the timed loop. */
function measure(run: (input: unknown) => unknown): number {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let elapsed = 0;
    let count = 0;
    while (elapsed < SECONDS * 1_000) {
      const inputs = Array.from({ length: BATCH }, () => JSON.parse(BODY) as unknown);
      const start = performance.now();
      for (const input of inputs) run(input);
      elapsed += performance.now() - start;
      count += BATCH;
    }
    rates.push((count / elapsed) * 1_000);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(ROUNDS / 2)] ?? NaN;
}

function check(): void {
  const fast = validateEvent(JSON.parse(BODY));
  const full = validateEventWithoutFastPath(JSON.parse(BODY));
  if (!fast.ok || !full.ok || canonicalize(fast.event) !== canonicalize(full.event)) {
    throw new Error('the benchmark event must be valid and equal on both paths');
  }
}

function line(what: string, rate: number, baseline?: number): void {
  const perEvent = `${(1e6 / rate).toFixed(2)} µs/event`;
  const speedup = baseline === undefined ? '' : `  ×${(rate / baseline).toFixed(1)}`;
  console.log(`  ${what.padEnd(46)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} events/s  ${perEvent.padStart(16)}${speedup}`);
}

check();
console.log(`@custody/schema validate bench (node ${process.version}, ${SECONDS}s x ${ROUNDS} rounds, median)`);
console.log(`  event: ${BODY.length} bytes of JSON`);

const fullParse = measure((input) => {
  if (checkPlainness(input).length === 0) ZEventInputSchema.safeParse(input, { reportInput: true });
});
const fastParse = measure((input) => fastParseEvent(input, DEFAULT_LIMITS));
line('parse step, full path (checkPlainness + zod)', fullParse);
line('parse step, fast path (fastParseEvent)', fastParse, fullParse);

const full = measure((input) => validateEventWithoutFastPath(input));
const fast = measure((input) => validateEvent(input));
line('validateEvent, zod path forced', full);
line('validateEvent, fast path', fast, full);

// Where the rest of validateEvent goes (steps after the parse, unchanged by the fast path).
const withCanonical = measure((input) => {
  const event = fastParseEvent(input, DEFAULT_LIMITS);
  if (event !== undefined) canonicalize(event);
});
const withMark = measure((input) => {
  const event = fastParseEvent(input, DEFAULT_LIMITS);
  if (event !== undefined) markValidated(event, BODY);
});
console.log('  after the parse step (µs/event, by difference):');
console.log(`    canonicalize ${(1e6 / withCanonical - 1e6 / fastParse).toFixed(2)}, markValidated (deep freeze + WeakMap) ${(1e6 / withMark - 1e6 / fastParse).toFixed(2)}`);

const parse = measure(() => JSON.parse(BODY));
line('for scale: JSON.parse of the body', parse);
