/**
 * Tools for the tamper suite: unpack a bundle into files, edit them, and repack either naively (manifests left as
 * they were) or carefully (payload manifest, Payload-Oxum and tag manifest recomputed, so only the seal can tell).
 */
import { expect } from 'vitest';

import type { CheckName, FailureCode, VerificationFailure, VerificationReport } from '../src/index';

export {
  fileText as text, readLines as lines, recomputeManifests, repackBundle as repack, tamperBundle as tamper, textBytes as bytes,
  unpackBundle as unpack, writeLines as setLines,
} from '../src/testing/index';
export type { TBagFiles as Files } from '../src/testing/index';

/** All failures of a check. */
export function failuresOf(report: VerificationReport, check: CheckName): readonly VerificationFailure[] {
  return report.checks.find((c) => c.name === check)?.failures ?? [];
}

/** Asserts the report has a failure with this code (and these location fields) in this check. */
export function expectFailure(report: VerificationReport, check: CheckName, code: FailureCode, where: Partial<VerificationFailure> = {}): VerificationFailure {
  const matches = failuresOf(report, check).filter((f) => f.code === code && Object.entries(where).every(([k, v]) => f[k as keyof VerificationFailure] === v));
  expect(matches, `expected ${check} failure ${code} ${JSON.stringify(where)}; got ${JSON.stringify(report.checks.map((c) => [c.name, c.failures.map((f) => [f.code, f.file, f.line, f.seq])]))}`).not.toEqual([]);
  return matches[0] as VerificationFailure;
}

/** The codes reported per check, for compact assertions. */
export function codes(report: VerificationReport): Record<string, string[]> {
  return Object.fromEntries(report.checks.filter((c) => c.failures.length > 0).map((c) => [c.name, [...new Set(c.failures.map((f) => f.code))]]));
}
