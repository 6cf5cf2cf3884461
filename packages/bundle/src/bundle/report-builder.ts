/** Collects failures and summaries per check while verifying, then freezes them into a report. */
import {
  CHECK_NAMES, CHECK_TITLES, type BundleDescription, type CheckName, type CheckResult, type CheckStatus, type VerificationCounts,
  type VerificationFailure, type VerificationReport,
} from './report-types';

interface CheckState {
  failures: VerificationFailure[];
  count: number;
  summary: string | undefined;
  skipped: string | undefined;
}

export class ReportBuilder {
  readonly #checks = new Map<CheckName, CheckState>();
  readonly #max: number;
  bundle: { -readonly [K in keyof BundleDescription]: BundleDescription[K] } = {};
  unusable = false;

  constructor(maxFailuresPerCheck: number) {
    this.#max = maxFailuresPerCheck;
    for (const name of CHECK_NAMES) this.#checks.set(name, { failures: [], count: 0, summary: undefined, skipped: undefined });
  }

  #state(name: CheckName): CheckState {
    return this.#checks.get(name) as CheckState;
  }

  fail(check: CheckName, failure: VerificationFailure): void {
    const state = this.#state(check);
    state.count += 1;
    if (state.failures.length < this.#max) state.failures.push(failure);
  }

  /** Adds failures already capped elsewhere, with their total count. */
  failMany(check: CheckName, failures: readonly VerificationFailure[], total: number): void {
    const state = this.#state(check);
    state.count += total;
    for (const failure of failures) if (state.failures.length < this.#max) state.failures.push(failure);
  }

  failed(check: CheckName): boolean {
    return this.#state(check).count > 0;
  }

  summarize(check: CheckName, summary: string): void {
    this.#state(check).summary = summary;
  }

  skip(check: CheckName, reason: string): void {
    this.#state(check).skipped = reason;
  }

  build(counts: VerificationCounts, durationMs: number, archiveSha256: string | undefined): VerificationReport {
    const checks: CheckResult[] = CHECK_NAMES.map((name) => {
      const state = this.#state(name);
      const status: CheckStatus = state.count > 0 ? 'invalid' : state.skipped !== undefined ? 'skipped' : 'valid';
      const summary = state.count > 0
        ? (state.summary ?? `${state.count} failure${state.count === 1 ? '' : 's'}`)
        : (state.skipped ?? state.summary ?? '');
      return { name, title: CHECK_TITLES[name], status, summary, failures: state.failures, failureCount: state.count };
    });
    const valid = !this.unusable && checks.every((check) => check.status === 'valid');
    return {
      format: 'custody.verification/v1',
      valid,
      unusable: this.unusable,
      bundle: this.bundle,
      checks,
      counts,
      ...(archiveSha256 === undefined ? {} : { archiveSha256 }),
      durationMs,
    };
  }
}
