import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';

import { canExport } from '../components/app-shell';
import { CopyButton } from '../components/copy-button';
import { Field } from '../components/field';
import { Link } from '../components/link';
import { EmptyState, ErrorBanner, LoadingState, PageHeader, Spinner } from '../components/states';
import type { RouterInputs, RouterOutputs } from '@custody/api';
import type { TOrganization } from '../lib/api-client';
import { describeError } from '../lib/describe-error';
import { FILTER_LABELS, filterChips, parseEventView, toApiFilter } from '../lib/event-view';
import { formatCount, formatUtcMinutes } from '../lib/format';
import { formatBytes, frameErrorOf, hashFile, httpErrorOf, postToFrame } from '../lib/download';
import { readEventsSearch } from '../lib/key-storage';
import { useAsync } from '../lib/use-async';
import { useSession } from '../session';

export type TExportJob = RouterOutputs['exports']['list'][number];
type TExportRequest = RouterInputs['exports']['create'];
type TExportFormat = NonNullable<TExportRequest['format']>;
type TExportMode = NonNullable<TExportRequest['mode']>;
type TDatOptions = NonNullable<TExportRequest['dat']>;
type TDatEncoding = NonNullable<TDatOptions['encoding']>;

const FORMATS: { value: TExportFormat; label: string }[] = [
  { value: 'bundle', label: 'Evidence bundle (ZIP with proofs and report)' },
  { value: 'csv', label: 'CSV' },
  { value: 'ndjson', label: 'NDJSON' },
  { value: 'dat', label: 'DAT (Concordance load file)' },
];

/** How often the list is reloaded while a job is queued or running. */
const POLL_MS = 2000;

/** What the form calls its fields: in its own error summary, and when the server names one in a refusal. */
const FIELD_LABELS = {
  matterName: 'Matter name',
  matterNumber: 'Matter number',
  custodian: 'Custodian',
  reason: 'Reason',
  controlPrefix: 'Control prefix',
  firstControlNumber: 'First control number',
  mode: 'Proof',
  includeDat: 'Include a DAT load file',
  sinceCheckpointSize: 'Recipient’s checkpoint size',
  datField: 'Field separator',
  datQuote: 'Text qualifier',
  datNewline: 'Line break stand-in',
  datEncoding: 'DAT encoding',
} as const;

/** The same labels by the request's field paths. */
const EXPORT_LABELS: Readonly<Record<string, string>> = {
  ...FILTER_LABELS,
  'matter.name': FIELD_LABELS.matterName,
  'matter.number': FIELD_LABELS.matterNumber,
  custodian: FIELD_LABELS.custodian,
  reason: FIELD_LABELS.reason,
  controlPrefix: FIELD_LABELS.controlPrefix,
  firstControlNumber: FIELD_LABELS.firstControlNumber,
  mode: FIELD_LABELS.mode,
  includeDat: FIELD_LABELS.includeDat,
  sinceCheckpointSize: FIELD_LABELS.sinceCheckpointSize,
  'dat.field': FIELD_LABELS.datField,
  'dat.quote': FIELD_LABELS.datQuote,
  'dat.newline': FIELD_LABELS.datNewline,
  'dat.encoding': FIELD_LABELS.datEncoding,
};

/** A file handed to the browser to save, by export id: its downloads list shows the progress. */
interface TSave {
  status: 'sent' | 'failed';
  error: string | null;
}

/**
 * What Report left to say under a row: why the report could not be fetched, or, when the browser blocked the new
 * tab, a link to the fetched report (a blob URL, revoked once the notice goes).
 */
type TReportNotice = { id: string; kind: 'failed'; message: string } | { id: string; kind: 'blocked'; url: string };

/** A saved file being checked against the listed SHA-256, by export id. */
interface TCheck {
  status: 'reading' | 'match' | 'mismatch' | 'failed';
  fileName: string;
  read: number;
  total: number;
  /** The file's SHA-256, once read. */
  sha256: string | null;
  error: string | null;
}

/**
 * Exports: e-discovery export jobs of the organization (evidence bundles, CSV, NDJSON, DAT), a form to start
 * one over the whole log or the Events page's current filter, downloads the browser saves itself, a check of a
 * saved file against the listed SHA-256, and production reports. Keys without the `export` scope get an explanation.
 */
export function ExportsPage({ organization }: { organization: TOrganization }) {
  const { scopes } = useSession();
  if (scopes !== null && !canExport(scopes)) return <NoExportScope scopes={scopes} />;
  return <ExportsView organization={organization} />;
}

function NoExportScope({ scopes }: { scopes: readonly string[] | null }) {
  return (
    <div className="page">
      <PageHeader title="Exports" />
      <EmptyState title="This API key cannot use exports">
        Preparing and downloading e-discovery exports needs a key with the <code>export</code> scope (or{' '}
        <code>admin</code>).{scopes !== null && <> This key has {scopes.length === 1 ? 'the scope' : 'the scopes'} {scopes.join(', ')}.</>} Ask an
        administrator for such a key, then sign in with it.
      </EmptyState>
    </div>
  );
}

function ExportsView({ organization }: { organization: TOrganization }) {
  const { client, apiKey, reportError } = useSession();
  const jobs = useAsync((signal) => client.exports.list.query({ organizationId: organization.id }, { signal }), `exports:${organization.id}`);
  useEffect(() => {
    if (jobs.status === 'error') reportError(jobs.error);
  }, [jobs.status, jobs.error, reportError]);

  // Poll while a job is waiting or being written; stop once none is.
  const pending = jobs.data?.some((j) => j.status === 'queued' || j.status === 'running') === true;
  const { reload } = jobs;
  useEffect(() => {
    if (!pending || jobs.status !== 'success') return;
    const timer = window.setTimeout(reload, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [pending, jobs.status, jobs.data, reload]);

  // --- downloads: saved by the browser itself (any size, with its own progress and cancel), from a form posted
  // into a hidden frame per job; the frame shows a page only when the server refused, and that page is read back.
  const [saves, setSaves] = useState<Record<string, TSave>>({});
  const frames = useRef(new Map<string, HTMLIFrameElement>());
  useEffect(() => {
    const made = frames.current;
    return () => {
      made.forEach((frame) => frame.remove());
      made.clear();
    };
  }, []);
  const base = `/v1/organizations/${encodeURIComponent(organization.id)}/exports`;

  const save = (job: TExportJob) => {
    let frame = frames.current.get(job.id);
    if (frame === undefined) {
      frame = document.createElement('iframe');
      frame.name = `custody-save-${job.id}`;
      frame.title = `Download of ${job.fileName ?? job.id}`;
      frame.hidden = true;
      document.body.append(frame);
      frames.current.set(job.id, frame);
      const made = frame;
      made.addEventListener('load', () => {
        const error = frameErrorOf(made);
        if (error !== null) setSaves((s) => ({ ...s, [job.id]: { status: 'failed', error } }));
      });
    }
    setSaves((s) => ({ ...s, [job.id]: { status: 'sent', error: null } }));
    postToFrame(`${base}/${encodeURIComponent(job.id)}/download`, { api_key: apiKey }, frame.name);
  };

  // --- checks: a saved file hashed here, a chunk at a time, against the listed SHA-256
  const [checks, setChecks] = useState<Record<string, TCheck>>({});
  const checkAborts = useRef(new Map<string, AbortController>());
  useEffect(() => {
    const running = checkAborts.current;
    return () => running.forEach((a) => a.abort());
  }, []);
  const check = async (job: TExportJob, file: File) => {
    checkAborts.current.get(job.id)?.abort();
    const abort = new AbortController();
    checkAborts.current.set(job.id, abort);
    // Only while this check runs: a chunk read when Cancel (or another check) came still reports, and would bring
    // back an empty status under the row, or put this file's progress on the next one's.
    const updateCheck = (change: Partial<TCheck>) => {
      if (!abort.signal.aborted) setChecks((c) => (c[job.id] === undefined ? c : { ...c, [job.id]: { ...(c[job.id] as TCheck), ...change } }));
    };
    setChecks((c) => ({ ...c, [job.id]: { status: 'reading', fileName: file.name, read: 0, total: file.size, sha256: null, error: null } }));
    try {
      const sha256 = await hashFile(file, ({ read }) => updateCheck({ read }), abort.signal);
      updateCheck({ status: sha256 === job.sha256 ? 'match' : 'mismatch', sha256 });
    } catch (error) {
      updateCheck({ status: 'failed', error: describeError(error).message });
    } finally {
      if (checkAborts.current.get(job.id) === abort) checkAborts.current.delete(job.id);
    }
  };
  const cancelCheck = (id: string) => {
    checkAborts.current.get(id)?.abort();
    setChecks(({ [id]: _dropped, ...rest }) => rest);
  };

  // --- reports: fetched with the bearer header, shown from a blob URL in a new tab
  const [reportNotice, setReportNotice] = useState<TReportNotice | null>(null);
  // A report the browser would not open in a tab stays readable while its link is shown.
  useEffect(() => {
    if (reportNotice?.kind !== 'blocked') return;
    const { url } = reportNotice;
    return () => URL.revokeObjectURL(url);
  }, [reportNotice]);
  const openReport = async (job: TExportJob) => {
    setReportNotice(null);
    // Opened now, while the click still allows a new tab; filled once the report is here. A popup blocker makes it
    // null, and a second window.open once the report is here, with no click to allow it, would be blocked too: the
    // page offers a link instead, which the user's own click opens.
    const tab = window.open('', '_blank');
    try {
      const response = await fetch(`${base}/${encodeURIComponent(job.id)}/report`, { headers: { authorization: `Bearer ${apiKey}` }, cache: 'no-store' });
      if (!response.ok) throw new Error(await httpErrorOf(response));
      const url = URL.createObjectURL(new Blob([await response.arrayBuffer()], { type: 'text/html' }));
      if (tab === null) {
        setReportNotice({ id: job.id, kind: 'blocked', url });
        return;
      }
      tab.location.href = url;
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      tab?.close();
      setReportNotice({ id: job.id, kind: 'failed', message: describeError(error).message });
    }
  };

  const forbidden = jobs.status === 'error' && describeError(jobs.error).code === 'FORBIDDEN';
  if (forbidden) return <NoExportScope scopes={null} />;
  return (
    <div className="page">
      <PageHeader
        title="Exports"
        subtitle={<>E-discovery exports of <strong>{organization.name}</strong>: evidence bundles, CSV, NDJSON and DAT, each pinned to a signed checkpoint. Times are UTC.</>}
        actions={<button type="button" className="button" onClick={reload}>Refresh</button>}
      />

      <section className="card" aria-label="Export jobs">
        <div className="card-header">
          <h2>Export jobs</h2>
          {pending && <span className="muted small" data-testid="polling"><Spinner label="Updating" /> Updating every {POLL_MS / 1000} s while a job is queued or running</span>}
        </div>
        <p className="muted small export-note">
          Download has this browser save the file, of any size, with its own downloads list. Check a saved file reads a file on this
          computer (a download, or one fetched with <code>custody export</code> or curl) and compares its SHA-256 with the one listed; the
          file is not sent anywhere.
        </p>
        {jobs.status === 'error' && (
          <div className="card-body">
            <ErrorBanner error={jobs.error} title="Could not load the export jobs" onRetry={reload} />
          </div>
        )}
        {jobs.data === undefined ? (
          jobs.status === 'loading' && <LoadingState label="Loading export jobs…" />
        ) : jobs.data.length === 0 ? (
          <EmptyState title="No exports yet">Start one with the New export form below; it appears here, newest first.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table table-exports" data-testid="exports-table">
              <thead>
                <tr>
                  <th>Created / finished</th>
                  <th>Format</th>
                  <th>Matter</th>
                  <th>Status</th>
                  <th>Events</th>
                  <th>SHA-256</th>
                  <th><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.map((job) => (
                  <ExportRow
                    key={job.id}
                    job={job}
                    save={saves[job.id]}
                    check={checks[job.id]}
                    report={reportNotice?.id === job.id ? reportNotice : null}
                    onSave={() => save(job)}
                    onCheck={(file) => void check(job, file)}
                    onCancelCheck={() => cancelCheck(job.id)}
                    onReport={() => void openReport(job)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <NewExportForm organization={organization} onCreated={reload} />
    </div>
  );
}

const STATUS_CLASS: Record<TExportJob['status'], string> = {
  queued: 'status status-pending',
  running: 'status status-pending',
  completed: 'status status-ok',
  failed: 'status status-revoked',
  expired: 'status status-expired',
};

function ExportRow({ job, save, check, report, onSave, onCheck, onCancelCheck, onReport }: {
  job: TExportJob;
  save: TSave | undefined;
  check: TCheck | undefined;
  report: TReportNotice | null;
  onSave: () => void;
  onCheck: (file: File) => void;
  onCancelCheck: () => void;
  onReport: () => void;
}) {
  const hashRef = useRef<HTMLElement>(null);
  const progress = job.progress.total !== null && job.progress.total > 0 ? ` ${Math.floor((job.progress.done / job.progress.total) * 100)} %` : '';
  return (
    <>
      <tr data-export-id={job.id} data-status={job.status}>
        <td className="nowrap">
          <div title={job.createdAt}>{formatUtcMinutes(job.createdAt)}</div>
          <div className="cell-sub" title={job.finishedAt ?? undefined} data-testid="export-finished">
            {job.finishedAt === null ? 'not finished' : `finished ${formatUtcMinutes(job.finishedAt)}`}
          </div>
        </td>
        <td><span className="badge">{job.format}</span></td>
        <td>
          <div className="cell-main">{job.matter.name}</div>
          <div className="cell-sub mono">{job.matter.number}</div>
        </td>
        <td data-testid="export-status">
          <span className={STATUS_CLASS[job.status]}>
            {job.status}
            {job.status === 'running' && progress}
          </span>
          {job.status === 'failed' && job.error !== null && <div className="field-help field-help-error" data-testid="export-error">{job.error}</div>}
          {job.status === 'completed' && job.expiresAt !== null && <div className="cell-sub" title={job.expiresAt}>expires {formatUtcMinutes(job.expiresAt)}</div>}
        </td>
        <td>
          {job.counts === null ? <span className="muted">—</span> : <span data-testid="export-count">{formatCount(job.counts.shown)}</span>}
          {job.counts !== null && job.counts.withheld + job.counts.purged > 0 && (
            <div className="cell-sub" title="Withheld: in the proven range but outside the filter (bundles prove every leaf). Purged: erased by retention.">
              {formatCount(job.counts.withheld)} withheld, {formatCount(job.counts.purged)} purged
            </div>
          )}
        </td>
        <td>
          {job.sha256 === null ? (
            <span className="muted">—</span>
          ) : (
            <div className="export-hash-cell">
              <code className="mono hash export-hash" ref={hashRef} data-testid="export-sha256">{job.sha256}</code>
              <CopyButton text={job.sha256} selectTarget={hashRef} />
            </div>
          )}
          {job.fileSize !== null && <div className="cell-sub">{formatBytes(job.fileSize)}</div>}
        </td>
        <td className="actions">
          {job.status === 'completed' && (
            <div className="export-actions">
              <button type="button" className="button button-small" onClick={onSave}>Download</button>
              {job.format === 'bundle' && <button type="button" className="button button-small" onClick={onReport}>Report</button>}
              <label className="button button-small button-file">
                Check a saved file
                <input
                  type="file"
                  className="sr-only"
                  onChange={(e) => {
                    const file = e.currentTarget.files?.[0];
                    // Cleared, so choosing the same file again checks it again.
                    e.currentTarget.value = '';
                    if (file !== undefined) onCheck(file);
                  }}
                />
              </label>
            </div>
          )}
        </td>
      </tr>
      {(save !== undefined || check !== undefined || report !== null) && (
        <tr className="export-download-row" data-download-for={job.id}>
          <td colSpan={7}>
            {report?.kind === 'failed' && <div className="alert alert-error" role="alert">Could not open the report: {report.message}</div>}
            {report?.kind === 'blocked' && (
              <div className="alert alert-warning" role="alert" data-testid="report-blocked">
                <span>
                  This browser blocked the new tab for the report (a popup blocker).{' '}
                  <a href={report.url} target="_blank" rel="noopener noreferrer">Open the report</a> in a new tab, or allow popups for this site.
                </span>
              </div>
            )}
            {save !== undefined && <SaveStatus save={save} job={job} />}
            {check !== undefined && <CheckStatus check={check} listed={job.sha256} onCancel={onCancelCheck} />}
          </td>
        </tr>
      )}
    </>
  );
}

function SaveStatus({ save, job }: { save: TSave; job: TExportJob }) {
  return (
    <div className="export-download" data-testid="download-status" data-state={save.status}>
      {save.status === 'sent' && (
        <span>
          Sent to this browser&rsquo;s downloads: <strong>{job.fileName ?? job.id}</strong>
          {job.fileSize !== null && <> ({formatBytes(job.fileSize)})</>}. Its downloads list shows the progress; then check the saved file.
        </span>
      )}
      {save.status === 'failed' && <span className="field-help-error" role="alert">Download failed: {save.error}</span>}
    </div>
  );
}

function CheckStatus({ check, listed, onCancel }: { check: TCheck; listed: string | null; onCancel: () => void }) {
  const { status, read, total } = check;
  return (
    <div className="export-download" data-testid="check-status" data-state={status}>
      {status === 'reading' && (
        <div className="form-actions">
          <progress max={total} value={read} aria-label="Check progress" />
          <span>Reading {check.fileName}: {formatBytes(read)} of {formatBytes(total)}</span>
          <button type="button" className="button button-small" onClick={onCancel}>Cancel</button>
        </div>
      )}
      {status === 'failed' && <span className="field-help-error" role="alert">Could not read {check.fileName}: {check.error}</span>}
      {status === 'match' && (
        <span className="status status-ok" data-testid="download-check">
          {check.fileName} matches the listed SHA-256
        </span>
      )}
      {status === 'mismatch' && (
        <div className="export-download-done">
          <span className="status status-revoked" data-testid="download-check">
            {check.fileName} does not match the listed SHA-256{listed === null ? '' : ': it is not this export’s file, or the download is incomplete'}
          </span>
          <div className="hash-row">
            <span className="small">Its SHA-256 ({formatBytes(total)}):</span>
            <code className="mono hash">{check.sha256}</code>
          </div>
        </div>
      )}
    </div>
  );
}

type TFormErrors = Partial<Record<keyof typeof FIELD_LABELS, string>>;

/** The fields of the Advanced options part: an error in one opens it. */
const ADVANCED_FIELDS: readonly (keyof TFormErrors)[] = ['mode', 'includeDat', 'sinceCheckpointSize', 'datField', 'datQuote', 'datNewline', 'datEncoding'];

const CONTROL_PREFIX = /^[A-Z0-9][A-Z0-9_-]{0,19}$/;

/**
 * A non-negative whole number as the server takes it (`firstControlNumber`, `sinceCheckpointSize`: a safe
 * integer, 0 or more), or an error; `null` when empty.
 */
function readCount(text: string, example: string): { value: number | null; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { value: null };
  if (!/^\d+$/.test(trimmed)) return { value: null, error: `A whole number, 0 or more (e.g. ${example}).` };
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) return { value: null, error: `At most ${formatCount(Number.MAX_SAFE_INTEGER)}.` };
  return { value };
}

/**
 * The DAT delimiters the server uses when one is not set (Concordance/Relativity: `@custody/bundle`'s
 * DEFAULT_DAT_DELIMITERS), and how the form names them.
 */
const DAT_DEFAULTS = {
  field: { char: '\u0014', shown: '¶ (ASCII 20)' },
  quote: { char: '\u00fe', shown: 'þ' },
  newline: { char: '\u00ae', shown: '®' },
} as const;
type TDatDelimiter = keyof typeof DAT_DEFAULTS;
const DAT_ERROR_KEYS = { field: 'datField', quote: 'datQuote', newline: 'datNewline' } as const;
/** The two other delimiters of every DAT file, which the three above must not repeat. */
const DAT_FIXED = [
  { char: ';', name: 'the multi-value separator (;)' },
  { char: '\\', name: 'the nested-value separator (\\)' },
];

/** Whether windows-1252 has the character (the WHATWG index, as `@custody/bundle`'s `isCp1252CodePoint`). */
function isCp1252(unit: number): boolean {
  const extra = [
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
    0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
  ];
  return unit < 0x80 || (unit >= 0xa0 && unit <= 0xff) || extra.includes(unit);
}

/**
 * The checks the server makes of the DAT delimiters that are set: the request's (exactly one character, no NUL),
 * then the job's, which would otherwise fail it after queuing (not CR or LF, each different from the others and
 * from `;` and `\`, defaults included, and a windows-1252 character when that is the encoding).
 */
function datErrors(set: Record<TDatDelimiter, string>, encoding: TDatEncoding | ''): TFormErrors {
  const errors: TFormErrors = {};
  const resolved = (name: TDatDelimiter) => (set[name] === '' ? DAT_DEFAULTS[name].char : set[name]);
  const others = (name: TDatDelimiter) => [
    ...(Object.keys(DAT_DEFAULTS) as TDatDelimiter[])
      .filter((other) => other !== name)
      .map((other) => ({ char: resolved(other), name: `the ${FIELD_LABELS[DAT_ERROR_KEYS[other]].toLowerCase()}${set[other] === '' ? ' (its default)' : ''}` })),
    ...DAT_FIXED,
  ];
  for (const name of Object.keys(DAT_DEFAULTS) as TDatDelimiter[]) {
    const value = set[name];
    if (value === '') continue;
    const unit = value.charCodeAt(0);
    let error: string | undefined;
    if (value.length !== 1 || (unit >= 0xd800 && unit <= 0xdfff)) error = `Exactly one character, or leave it empty for ${DAT_DEFAULTS[name].shown}.`;
    else if (value === '\0' || value === '\r' || value === '\n') error = 'Not a line break or NUL character: choose a visible one.';
    else if (encoding === 'cp1252' && !isCp1252(unit)) error = `Windows-1252 has no “${value}”: choose another character, or UTF-8.`;
    else {
      const same = others(name).find((other) => other.char === value);
      if (same !== undefined) error = `The same character as ${same.name}: each delimiter must be different.`;
    }
    if (error !== undefined) errors[DAT_ERROR_KEYS[name]] = error;
  }
  return errors;
}

/** A field for a non-negative whole number, typed as text (checked by `readCount`). */
function CountField({ label, className, error, help, value, onChange, placeholder }: {
  label: string;
  className?: string;
  error: string | undefined;
  help: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
}) {
  return (
    <Field label={label} {...(className === undefined ? {} : { className })} error={error} help={help}>
      {(p) => <input {...p} className="input mono" inputMode="numeric" autoComplete="off" value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} />}
    </Field>
  );
}

function NewExportForm({ organization, onCreated }: { organization: TOrganization; onCreated: () => void }) {
  const { client, reportError } = useSession();
  const [format, setFormat] = useState<TExportFormat>('bundle');
  const [matterName, setMatterName] = useState('');
  const [matterNumber, setMatterNumber] = useState('');
  const [custodian, setCustodian] = useState('');
  const [reason, setReason] = useState('');
  const [controlPrefix, setControlPrefix] = useState('');
  const [firstControlNumber, setFirstControlNumber] = useState('');
  // Advanced options: each left out of the request while unset, so the server's default applies.
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [mode, setMode] = useState<TExportMode | null>(null);
  const [includeDat, setIncludeDat] = useState(false);
  const [sinceCheckpointSize, setSinceCheckpointSize] = useState('');
  const [datDelimiters, setDatDelimiters] = useState<Record<TDatDelimiter, string>>({ field: '', quote: '', newline: '' });
  const [datEncoding, setDatEncoding] = useState<TDatEncoding | ''>('');
  const [errors, setErrors] = useState<TFormErrors>({});
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);

  // The Events page's filter, as it last had it in its URL (this tab).
  const eventsSearch = useMemo(() => readEventsSearch(organization.id), [organization.id]);
  const eventsView = useMemo(() => parseEventView(eventsSearch), [eventsSearch]);
  const chips = filterChips(eventsView);
  const [scope, setScope] = useState<'events' | 'none'>(chips.length > 0 ? 'events' : 'none');
  const eventsPath = `/orgs/${encodeURIComponent(organization.id)}/events${eventsSearch}`;

  // What applies to the chosen format.
  const isBundle = format === 'bundle';
  const datApplies = format === 'dat' || (isBundle && includeDat);
  const hasAdvanced = isBundle || datApplies;

  const validate = (): TFormErrors => {
    const e: TFormErrors = {};
    const required = (value: string, max: number, what: string) =>
      value.trim() === '' ? `Enter the ${what}.` : value.trim().length > max ? `At most ${formatCount(max)} characters.` : undefined;
    e.matterName = required(matterName, 200, 'matter name');
    e.matterNumber = required(matterNumber, 100, 'matter number');
    e.custodian = required(custodian, 200, 'custodian');
    e.reason = required(reason, 500, 'reason for the export');
    if (controlPrefix.trim() !== '' && !CONTROL_PREFIX.test(controlPrefix.trim())) {
      e.controlPrefix = 'Up to 20 capital letters, digits, "_" or "-", starting with a letter or digit (ACME-).';
    }
    e.firstControlNumber = readCount(firstControlNumber, '25').error;
    if (isBundle) e.sinceCheckpointSize = readCount(sinceCheckpointSize, '4000').error;
    if (datApplies) Object.assign(e, datErrors(datDelimiters, datEncoding));
    return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
  };

  /** The advanced options the user set that apply to the format; the rest are left to the server's defaults. */
  const advancedRequest = (): Partial<TExportRequest> => {
    const first = readCount(firstControlNumber, '').value;
    const since = readCount(sinceCheckpointSize, '').value;
    const dat: TDatOptions = {
      ...(datDelimiters.field === '' ? {} : { field: datDelimiters.field }),
      ...(datDelimiters.quote === '' ? {} : { quote: datDelimiters.quote }),
      ...(datDelimiters.newline === '' ? {} : { newline: datDelimiters.newline }),
      ...(datEncoding === '' ? {} : { encoding: datEncoding }),
    };
    return {
      ...(first === null ? {} : { firstControlNumber: first }),
      ...(isBundle && mode !== null ? { mode } : {}),
      ...(isBundle && includeDat ? { includeDat: true } : {}),
      ...(isBundle && since !== null ? { sinceCheckpointSize: since } : {}),
      ...(datApplies && Object.keys(dat).length > 0 ? { dat } : {}),
    };
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setCreated(null);
    setServerError(null);
    if (ADVANCED_FIELDS.some((key) => found[key] !== undefined)) setAdvancedOpen(true);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const prefix = controlPrefix.trim();
    client.exports.create
      .mutate({
        organizationId: organization.id,
        format,
        filter: scope === 'events' ? toApiFilter(eventsView) : {},
        matter: { name: matterName.trim(), number: matterNumber.trim() },
        custodian: custodian.trim(),
        reason: reason.trim(),
        ...(prefix === '' ? {} : { controlPrefix: prefix }),
        ...advancedRequest(),
      })
      .then(
        (job) => {
          setCreated(job.id);
          onCreated();
        },
        (error: unknown) => {
          setServerError(error);
          reportError(error);
        },
      )
      .finally(() => setBusy(false));
  };

  // Errors of fields the chosen format no longer shows (a DAT separator, once the format is CSV) are not counted.
  const applies = (key: keyof TFormErrors) =>
    key.startsWith('dat') ? datApplies : key === 'mode' || key === 'includeDat' || key === 'sinceCheckpointSize' ? isBundle : true;
  const errorKeys = (Object.keys(FIELD_LABELS) as (keyof TFormErrors)[]).filter((key) => errors[key] !== undefined && applies(key));
  const errorCount = errorKeys.length;
  const errorLabels = errorKeys.map((key) => FIELD_LABELS[key]);
  const setDelimiter = (name: TDatDelimiter, value: string) => setDatDelimiters((d) => ({ ...d, [name]: value }));
  return (
    <section className="card" aria-label="New export">
      <div className="card-header">
        <h2>New export</h2>
      </div>
      <form className="card-body form" onSubmit={submit} noValidate>
        {serverError !== null && <ErrorBanner error={serverError} title="The server refused this export" labels={EXPORT_LABELS} />}
        {errorCount > 0 && (
          <div className="alert alert-error" role="alert" data-testid="export-form-errors">
            <div className="alert-main">
              <strong>{errorCount === 1 ? 'One field needs attention' : `${errorCount} fields need attention`}</strong>
              <span>Nothing was sent. Fill in or correct the fields marked below: {errorLabels.join(', ')}.</span>
            </div>
          </div>
        )}
        {created !== null && (
          <div className="alert alert-success" role="status" data-testid="export-created">
            <span>
              Export queued (<span className="mono">{created}</span>). It is listed under Export jobs, which updates until it is done.
            </span>
          </div>
        )}
        <div className="filter-grid">
          <Field label="Format" className="span-2">
            {(p) => (
              <select {...p} className="select" value={format} onChange={(e) => setFormat(e.target.value as TExportFormat)}>
                {FORMATS.map((f) => <option key={f.value} value={f.value}>{f.label}</option>)}
              </select>
            )}
          </Field>
          <Field label="Control prefix (optional)" error={errors.controlPrefix} help="Bates-style control numbers start with it, e.g. ACME-">
            {(p) => <input {...p} className="input mono" value={controlPrefix} onChange={(e) => setControlPrefix(e.target.value.toUpperCase())} placeholder="ACME-" />}
          </Field>
          <CountField
            label="First control number (optional)"
            error={errors.firstControlNumber}
            help="1 if empty; 25 continues a production that ended at 24"
            value={firstControlNumber}
            onChange={setFirstControlNumber}
            placeholder="1"
          />
          <Field label="Matter name" className="span-2" error={errors.matterName}>
            {(p) => <input {...p} className="input" value={matterName} onChange={(e) => setMatterName(e.target.value)} placeholder="Doe v. Acme Inc." />}
          </Field>
          <Field label="Matter number" className="span-2" error={errors.matterNumber}>
            {(p) => <input {...p} className="input" value={matterNumber} onChange={(e) => setMatterNumber(e.target.value)} placeholder="2026-CV-0142" />}
          </Field>
          <Field label="Custodian" className="span-2" error={errors.custodian} help="Who holds the records (a person or system)">
            {(p) => <input {...p} className="input" value={custodian} onChange={(e) => setCustodian(e.target.value)} />}
          </Field>
          <Field label="Reason" className="span-2" error={errors.reason} help="Why the export is made (recorded in the log and the report)">
            {(p) => <input {...p} className="input" value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
        </div>
        <fieldset className="field">
          <legend className="field-label">Events to export</legend>
          <label className="checkbox">
            <input type="radio" name="export-scope" checked={scope === 'events'} disabled={chips.length === 0} onChange={() => setScope('events')} />
            <span>
              Use the current Events filter
              <small>
                {chips.length === 0 ? (
                  <>The <Link to={eventsPath}>Events page</Link> has no filter now: set one there, then come back.</>
                ) : (
                  <>As set on the <Link to={eventsPath}>Events page</Link>:</>
                )}
              </small>
            </span>
          </label>
          {chips.length > 0 && (
            <div className="chips export-chips" data-testid="export-filter-chips">
              {chips.map((chip) => (
                <span className="chip" key={chip.id} data-chip={chip.id}>
                  <span className="chip-label">{chip.label}</span>
                  <span className="chip-value mono">{chip.value}</span>
                </span>
              ))}
            </div>
          )}
          <label className="checkbox">
            <input type="radio" name="export-scope" checked={scope === 'none'} onChange={() => setScope('none')} />
            <span>None: the whole log<small>Every event up to the checkpoint the job is pinned to.</small></span>
          </label>
        </fieldset>
        {hasAdvanced && (
          <details className="export-advanced" open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)} data-testid="export-advanced">
            <summary>
              <span className="export-advanced-title">Advanced options</span>{' '}
              <span className="muted small">{isBundle ? 'proof, DAT load file, recipient’s checkpoint' : 'DAT delimiters and encoding'} (the defaults unless changed)</span>
            </summary>
            <div className="export-advanced-body">
              {isBundle && (
                <>
                  <fieldset className="field">
                    <legend className="field-label">{FIELD_LABELS.mode}</legend>
                    <label className="checkbox">
                      <input type="radio" name="export-mode" checked={mode !== 'selected'} onChange={() => setMode('complete-range')} />
                      <span>
                        Complete range (default)
                        <small>Proves every event from the first match to the last; those that do not match are withheld as unreadable hashes, so nothing can be left out unseen.</small>
                      </span>
                    </label>
                    <label className="checkbox">
                      <input type="radio" name="export-mode" checked={mode === 'selected'} onChange={() => setMode('selected')} />
                      <span>
                        Selected events only
                        <small>Proves only the matching events; it does not show that no event between them was left out.</small>
                      </span>
                    </label>
                  </fieldset>
                  <div className="filter-grid">
                    <CountField
                      label={`${FIELD_LABELS.sinceCheckpointSize} (optional)`}
                      className="span-2"
                      error={errors.sinceCheckpointSize}
                      help="The size of a checkpoint the recipient already holds, from an earlier production: the bundle proves the log only grew since"
                      value={sinceCheckpointSize}
                      onChange={setSinceCheckpointSize}
                    />
                  </div>
                  <label className="checkbox">
                    <input type="checkbox" checked={includeDat} onChange={(e) => setIncludeDat(e.target.checked)} />
                    <span>
                      {FIELD_LABELS.includeDat}
                      <small>Adds a Concordance/Relativity DAT file (loadfile.dat) to the bundle, for review platforms; the CSV is always there.</small>
                    </span>
                  </label>
                </>
              )}
              {datApplies && (
                <fieldset className="field">
                  <legend className="field-label">{isBundle ? 'The bundle’s DAT load file' : 'DAT load file'}</legend>
                  <div className="filter-grid">
                    <Field label={`${FIELD_LABELS.datField} (optional)`} error={errors.datField} help={`Between fields; default ${DAT_DEFAULTS.field.shown}`}>
                      {(p) => <input {...p} className="input mono" autoComplete="off" spellCheck={false} value={datDelimiters.field} onChange={(e) => setDelimiter('field', e.target.value)} />}
                    </Field>
                    <Field label={`${FIELD_LABELS.datQuote} (optional)`} error={errors.datQuote} help={`Around every value; default ${DAT_DEFAULTS.quote.shown}`}>
                      {(p) => <input {...p} className="input mono" autoComplete="off" spellCheck={false} value={datDelimiters.quote} onChange={(e) => setDelimiter('quote', e.target.value)} />}
                    </Field>
                    <Field label={`${FIELD_LABELS.datNewline} (optional)`} error={errors.datNewline} help={`Marks a line break inside a value; default ${DAT_DEFAULTS.newline.shown}`}>
                      {(p) => <input {...p} className="input mono" autoComplete="off" spellCheck={false} value={datDelimiters.newline} onChange={(e) => setDelimiter('newline', e.target.value)} />}
                    </Field>
                    <Field label={FIELD_LABELS.datEncoding} className="export-dat-encoding" error={errors.datEncoding} help="Windows-1252 only if the review platform (older Concordance) asks for it">
                      {(p) => (
                        <select {...p} className="select" value={datEncoding} onChange={(e) => setDatEncoding(e.target.value as TDatEncoding | '')}>
                          <option value="">UTF-8 (default)</option>
                          <option value="cp1252">Windows-1252</option>
                        </select>
                      )}
                    </Field>
                  </div>
                </fieldset>
              )}
            </div>
          </details>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>{busy ? <><Spinner /> Starting…</> : 'Start export'}</button>
        </div>
      </form>
    </section>
  );
}
