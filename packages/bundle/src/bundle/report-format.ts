/**
 * CloudTrail-style text of a {@link VerificationReport} (verifiable-log.md §6): a header, one line per check,
 * `N/N events valid` (or `X/N events valid, Y/N events INVALID`), then one `INVALID:` line per failure with
 * expected vs found.
 */
import { formatCount } from '../text';
import { CHECK_TITLES, type VerificationReport } from './report-types';

/** Options of {@link formatVerificationReport}. */
export interface FormatReportOptions {
  /** The bundle's file name, for the header. */
  readonly name?: string;
  /** Also print the failures beyond those kept in the report (counts only). Default is `true`. */
  readonly showCounts?: boolean;
}

/** Formats a report as text (ends with a newline). */
export function formatVerificationReport(report: VerificationReport, options: FormatReportOptions = {}): string {
  const b = report.bundle;
  const lines: string[] = [];
  const name = options.name ?? (b.bagName === undefined ? 'bundle' : `${b.bagName}.zip`);
  lines.push(`Validating evidence bundle ${name}${b.format === undefined ? '' : ` (${b.format})`}`);
  if (b.origin !== undefined || b.treeSize !== undefined) {
    lines.push(`Log ${b.origin ?? '?'}, checkpoint size ${b.treeSize === undefined ? '?' : formatCount(BigInt(b.treeSize))}${b.exportId === undefined ? '' : `, export ${b.exportId}`}`);
  }
  if (b.mode !== undefined) {
    const range = b.range === null || b.range === undefined ? 'selected events' : `seq ${b.range.from}–${BigInt(b.range.to) - 1n}`;
    lines.push(`Results requested for ${range} (${b.mode})${b.controlNumbers === undefined || b.controlNumbers === 'none' ? '' : `, control numbers ${b.controlNumbers}`}`);
  }
  lines.push('');
  const width = Math.max(...Object.values(CHECK_TITLES).map((title) => title.length));
  for (const check of report.checks) {
    const status = check.status === 'valid' ? 'valid  ' : check.status === 'invalid' ? 'INVALID' : 'skipped';
    lines.push(`  ${check.title.padEnd(width)}  ${status}  ${check.summary}`);
  }
  lines.push('');
  const c = report.counts;
  if (report.unusable) {
    lines.push('Bundle UNUSABLE: it could not be read as a custody.evidence/v1 bundle');
  } else if (c.eventsInvalid === 0) {
    lines.push(`${formatCount(c.eventsValid)}/${formatCount(c.events)} events valid`);
  } else {
    lines.push(`${formatCount(c.eventsValid)}/${formatCount(c.events)} events valid, ${formatCount(c.eventsInvalid)}/${formatCount(c.events)} events INVALID`);
  }
  lines.push(report.valid ? 'Bundle valid' : report.unusable ? '' : 'Bundle INVALID');
  if (lines[lines.length - 1] === '') lines.pop();
  const failures = report.checks.flatMap((check) => check.failures.map((failure) => ({ check, failure })));
  if (failures.length > 0) lines.push('');
  for (const { failure } of failures) {
    const where = failure.file === undefined ? '' : `${failure.file}${failure.line === undefined ? '' : `:${failure.line}`}`;
    const seq = failure.seq === undefined ? '' : `${where === '' ? '' : ' '}(seq ${failure.seq})`;
    const prefix = where === '' && seq === '' ? '' : `${where}${seq}: `;
    lines.push(`INVALID: ${prefix}${failure.message} [${failure.code}]`);
    if (failure.expected !== undefined) lines.push(`         expected: ${failure.expected}`);
    if (failure.found !== undefined) lines.push(`         found:    ${failure.found}`);
  }
  if (options.showCounts !== false) {
    for (const check of report.checks) {
      const hidden = check.failureCount - check.failures.length;
      if (hidden > 0) lines.push(`… and ${formatCount(hidden)} more ${check.title} failures`);
    }
  }
  return `${lines.join('\n')}\n`;
}
