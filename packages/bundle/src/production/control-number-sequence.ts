/**
 * The control numbers of one production, issued in order (viewer.md §2.4). See `control-number.ts` for the format.
 */
import {
  DEFAULT_CONTROL_WIDTH,
  assertControlPrefix,
  assertControlWidth,
  maxControlNumber,
} from './control-number';
import type { TControlNumberRange } from './control-number';
import { ProductionError } from './production-error';

/** Options of {@link ControlNumberSequence}. */
export interface TControlNumberSequenceOptions {
  /** 1–20 of `A-Z 0-9 _ -` (`CONTROL_PREFIX_PATTERN`). */
  readonly prefix: string;
  /** Number of digits, 1–15. Default is 6. Never grows: passing `10^width − 1` is an error. */
  readonly width?: number;
  /** The first number, a non-negative safe integer. Default is `1`; continue a previous production with its `last + 1`. */
  readonly first?: number;
  /**
   * How many numbers the production will use, if known. The constructor then fails at once
   * (`CONTROL_NUMBERS_EXHAUSTED`) when they do not fit, instead of after writing most of an export.
   */
  readonly count?: number;
}

/**
 * Issues `prefix + zero-padded number` identifiers in order: the k-th issued (0-based), i.e. the one for line k of
 * `data/events.ndjson`, is `first + k`. O(1) memory; about 0.1 µs per number.
 *
 * Throws `INVALID_CONTROL_PREFIX`, `INVALID_CONTROL_WIDTH` or `INVALID_CONTROL_NUMBER` for bad options, and
 * `CONTROL_NUMBERS_EXHAUSTED` when a number would need more than `width` digits.
 *
 * ```ts
 * const numbers = new ControlNumberSequence({ prefix: 'ACME', width: requiredControlWidth(1, count), count });
 * for (const event of events) csv.row(event, { controlNumber: numbers.next(), leafHash });
 * custody.controlNumbers = numbers.range();   // { prefix: 'ACME', first: 1, last: count, width }
 * ```
 */
export class ControlNumberSequence {
  /** The prefix. */
  readonly prefix: string;
  /** The number of digits. */
  readonly width: number;
  /** The first number. */
  readonly first: number;
  /** The largest number the width holds (`10^width − 1`). */
  readonly max: number;
  #next: number;

  constructor(options: TControlNumberSequenceOptions) {
    const width = options.width ?? DEFAULT_CONTROL_WIDTH;
    const first = options.first ?? 1;
    assertControlPrefix(options.prefix);
    assertControlWidth(width);
    this.prefix = options.prefix;
    this.width = width;
    this.max = maxControlNumber(width);
    if (typeof first !== 'number' || !Number.isSafeInteger(first) || first < 0 || first > this.max) {
      throw new ProductionError(
        'INVALID_CONTROL_NUMBER',
        `first control number must be an integer from 0 to ${this.max} for width ${width}, got ${String(first)}`,
      );
    }
    this.first = first;
    this.#next = first;
    if (options.count !== undefined) {
      const count = options.count;
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
        throw new ProductionError('INVALID_CONTROL_NUMBER', `count must be a non-negative safe integer, got ${String(count)}`);
      }
      if (count > 0 && first + count - 1 > this.max) {
        throw this.#exhausted(first + count - 1);
      }
    }
  }

  /** How many numbers {@link next} has issued. */
  get issued(): number {
    return this.#next - this.first;
  }

  /** The number the k-th (0-based) line gets, `first + k`, without issuing it. Throws when it does not fit. */
  numberAt(k: number): number {
    if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 0) {
      throw new ProductionError('INVALID_ARGUMENT', `line number must be a non-negative safe integer, got ${String(k)}`);
    }
    const n = this.first + k;
    if (n > this.max) throw this.#exhausted(n);
    return n;
  }

  /** The control number of the k-th (0-based) line, `prefix + pad(first + k)`, without issuing it. */
  at(k: number): string {
    return this.#format(this.numberAt(k));
  }

  /** Issues the next control number. Throws `CONTROL_NUMBERS_EXHAUSTED` past `10^width − 1`. */
  next(): string {
    const n = this.#next;
    if (n > this.max) throw this.#exhausted(n);
    this.#next = n + 1;
    return this.#format(n);
  }

  /** The range issued so far, as `data/custody.json` records it; `undefined` while none has been issued. */
  range(): TControlNumberRange | undefined {
    if (this.#next === this.first) return undefined;
    return { prefix: this.prefix, first: this.first, last: this.#next - 1, width: this.width };
  }

  #format(n: number): string {
    // Validated once in the constructor; this is the hot path of a 1M-row export.
    return this.prefix + String(n).padStart(this.width, '0');
  }

  #exhausted(n: number): ProductionError {
    return new ProductionError(
      'CONTROL_NUMBERS_EXHAUSTED',
      `control numbers exhausted: ${this.#format(this.max)} is the last ${this.width}-digit number, ` +
        `${String(n)} does not fit; use a wider sequence (requiredControlWidth)`,
      { details: { prefix: this.prefix, width: this.width, max: this.max, needed: n } },
    );
  }
}
