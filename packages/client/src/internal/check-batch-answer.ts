/**
 * Checks an answer of `events.createBatch` before any event is acknowledged on it. The answer must be
 * the API's output (`ZCreateEventsBatchResponseSchema` of `@custody/api`: `{ accepted, rejected,
 * results }`, one result per event sent, in order) and must be possible for the log:
 *
 * - an accepted event's `seq` is its position in the log, a non-negative safe integer, and its `id` is a
 *   lowercase UUIDv7 (what `@custody/schema` requires of every logged event);
 * - one position holds one event: two results with the same `seq` must be the same event (same `id`),
 *   sent twice under the same idempotency key (the server then answers the second with the first's
 *   `seq`, `replayed: true`); one `id` has one `seq`; one idempotency key has one `seq`;
 * - of the results sharing a `seq`, at most one is new (`replayed: false`): a position is filled once;
 * - `accepted` and `rejected` count the results.
 *
 * An answer that breaks any of these is not a partial truth: every event of the batch is left unknown.
 */
import { UUID_V7_PATTERN } from '@custody/schema';
import type { TValidationIssue } from '@custody/schema';

/** One event's result, as checked. */
export type TBatchResult =
  | { readonly status: 'accepted'; readonly id: string; readonly seq: number; readonly replayed: boolean }
  | {
      readonly status: 'rejected';
      readonly code: 'VALIDATION_FAILED' | 'IDEMPOTENCY_CONFLICT';
      readonly message: string;
      readonly issues: readonly TValidationIssue[];
    };

/** What was sent of one event: its idempotency key. */
export interface TSentEvent {
  readonly idempotencyKey: string;
}

/** The checked answer: each sent event with its result, in order; or the first impossibility found. */
export type TBatchAnswerCheck<T extends TSentEvent> =
  | { readonly ok: true; readonly settled: readonly (readonly [event: T, result: TBatchResult])[] }
  | { readonly ok: false; readonly problem: string };

const REJECTION_CODES: ReadonlySet<unknown> = new Set(['VALIDATION_FAILED', 'IDEMPOTENCY_CONFLICT']);

/**
 * Checks `answer` for the events `sent` (in the order they were sent). `problem` names the first thing
 * found that cannot be true.
 */
export function checkBatchAnswer<T extends TSentEvent>(answer: unknown, sent: readonly T[]): TBatchAnswerCheck<T> {
  const fail = (problem: string): TBatchAnswerCheck<T> => ({ ok: false, problem });
  const body = record(answer);
  const raw = body?.results;
  if (!Array.isArray(raw)) return fail('it holds no results array');
  if (raw.length !== sent.length) return fail(`it holds ${raw.length} results for ${sent.length} events`);

  const settled: (readonly [event: T, result: TBatchResult])[] = [];
  for (const [index, event] of sent.entries()) {
    const checked = checkResult(raw[index]);
    if (typeof checked === 'string') return fail(`results[${index}] ${checked}`);
    settled.push([event, checked]);
  }

  const accepted = settled.filter(([, r]) => r.status === 'accepted').length;
  if (body?.accepted !== accepted || body.rejected !== sent.length - accepted) {
    return fail(`it counts ${show(body?.accepted)} accepted and ${show(body?.rejected)} rejected, but its results hold ${accepted} and ${sent.length - accepted}`);
  }

  // The first accepted result at each seq, id and key; and the one new (not replayed) result at each seq.
  const bySeq = new Map<number, { readonly index: number; readonly id: string; readonly key: string }>();
  const byId = new Map<string, number>();
  const byKey = new Map<string, number>();
  const fresh = new Map<number, number>();
  for (const [index, [{ idempotencyKey: key }, result]] of settled.entries()) {
    if (result.status !== 'accepted') continue;
    const { id, seq } = result;
    const first = bySeq.get(seq);
    if (first === undefined) {
      const sameId = byId.get(id);
      if (sameId !== undefined) return fail(`results[${index}] and results[${sameId}] have the same id with different seqs`);
      const sameKey = byKey.get(key);
      if (sameKey !== undefined) return fail(`results[${index}] and results[${sameKey}] have the same idempotency key with different seqs`);
      bySeq.set(seq, { index, id, key });
      byId.set(id, index);
      byKey.set(key, index);
    } else {
      if (first.key !== key) return fail(`results[${index}] and results[${first.index}] both have seq ${seq}, for events with different idempotency keys`);
      if (first.id !== id) return fail(`results[${index}] and results[${first.index}] both have seq ${seq}, with different ids`);
    }
    if (!result.replayed) {
      const filled = fresh.get(seq);
      if (filled !== undefined) return fail(`results[${index}] and results[${filled}] both fill seq ${seq} (neither is replayed)`);
      fresh.set(seq, index);
    }
  }
  return { ok: true, settled };
}

/** One result, or what is wrong with it (after `results[i] `). */
function checkResult(value: unknown): TBatchResult | string {
  const result = record(value);
  if (result === undefined) return `is ${show(value)}, not a result`;
  if (result.status === 'accepted') {
    const { id, seq, replayed } = result;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return `is accepted with seq ${show(seq)}, which is not a log position (a non-negative safe integer)`;
    if (typeof id !== 'string' || !UUID_V7_PATTERN.test(id)) return `is accepted with id ${show(id)}, which is not an event id (a lowercase UUIDv7)`;
    if (typeof replayed !== 'boolean') return `is accepted with replayed ${show(replayed)}, not a boolean`;
    return { status: 'accepted', id, seq, replayed };
  }
  if (result.status === 'rejected') {
    const { code, message, issues } = result;
    if (!REJECTION_CODES.has(code)) return `is rejected with code ${show(code)}, which is neither VALIDATION_FAILED nor IDEMPOTENCY_CONFLICT`;
    if (typeof message !== 'string') return `is rejected with message ${show(message)}, not a string`;
    if (!Array.isArray(issues) || !issues.every(isIssue)) return 'is rejected with issues that are not a list of { path, code, message }';
    return { status: 'rejected', code: code as 'VALIDATION_FAILED' | 'IDEMPOTENCY_CONFLICT', message, issues };
  }
  return `has status ${show(result.status)}, neither accepted nor rejected`;
}

function isIssue(value: unknown): value is TValidationIssue {
  const issue = record(value);
  return typeof issue?.path === 'string' && typeof issue.code === 'string' && typeof issue.message === 'string';
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A short rendering of a value the server sent (it may be anything, of any length). */
function show(value: unknown): string {
  if (value === undefined) return 'missing';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Not JSON data (only a custom fetch or transformer could produce it): its type says enough.
  }
  if (text === undefined) return `a ${typeof value}`;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
