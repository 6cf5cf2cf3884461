/**
 * The verification report of {@link verifyBundle}: eight checks in a fixed order, each with a status, a summary
 * and its failures, like `aws cloudtrail validate-logs` (verifiable-log.md §6).
 */

/** The checks, in report order. */
export const CHECK_NAMES = [
  'structure',
  'manifests',
  'seal',
  'checkpoints',
  'chain',
  'proof',
  'completeness',
  'canonical',
] as const;

/** One of {@link CHECK_NAMES}. */
export type CheckName = (typeof CHECK_NAMES)[number];

/** Report labels of the checks. */
export const CHECK_TITLES: Readonly<Record<CheckName, string>> = {
  structure: 'zip and BagIt structure',
  manifests: 'manifests',
  seal: 'seal',
  checkpoints: 'checkpoint signatures',
  chain: 'checkpoint chain',
  proof: 'event proofs',
  completeness: 'range completeness',
  canonical: 'canonical events',
};

/** The closed list of failure codes, grouped by the check that reports them. */
export const FAILURE_CODES = [
  // structure
  'BAD_ZIP', 'TRUNCATED', 'UNSAFE_PATH', 'DUPLICATE_ENTRY', 'LIMIT_EXCEEDED', 'UNSUPPORTED', 'NOT_A_BAG', 'MISSING_FILE',
  'UNEXPECTED_FILE', 'BAD_BAGIT', 'BAD_FORMAT',
  // manifests
  'MANIFEST_MISMATCH', 'TAGMANIFEST_MISMATCH', 'OXUM_MISMATCH', 'BAD_MANIFEST', 'UNLISTED_FILE', 'CORRUPT_FILE',
  // seal
  'SEAL_UNTRUSTED_KEY', 'SEAL_BAD_SIGNATURE', 'SEAL_MALFORMED', 'SEAL_MISMATCH',
  // checkpoints
  'NO_TRUSTED_KEYS', 'CHECKPOINT_UNTRUSTED_KEY', 'CHECKPOINT_BAD_SIGNATURE', 'CHECKPOINT_MALFORMED', 'ORIGIN_MISMATCH',
  'CHECKPOINT_SIZE_MISMATCH',
  // chain
  'CONSISTENCY_PROOF_MISMATCH', 'CHAIN_ORDER', 'HELD_CHECKPOINT_MISMATCH',
  // proof
  'LEAF_HASH_MISMATCH', 'PROOF_MISMATCH', 'PROOF_HOLE', 'PROOF_OVERLAP', 'PROOF_NOT_A_NODE', 'PROOF_NOT_CANONICAL',
  'PROOF_COUNT_MISMATCH', 'BAD_PROOF_LINE',
  // completeness
  'LEAF_MISSING', 'LEAF_ORDER', 'LEAF_OUT_OF_RANGE', 'BAD_LEAF_LINE', 'EVENT_MISSING', 'EXTRA_EVENT', 'COUNT_MISMATCH',
  'PURGE_RECORD_MISMATCH', 'CUSTODY_MISMATCH',
  // canonical
  'NOT_CANONICAL', 'SEQ_MISMATCH', 'ORGANIZATION_MISMATCH', 'EVENT_TOO_LARGE',
] as const;

/** One of {@link FAILURE_CODES}. */
export type FailureCode = (typeof FAILURE_CODES)[number];

/** One failure: where (file, 1-based line, seq) and what (expected vs found, as text). */
export interface VerificationFailure {
  readonly code: FailureCode;
  /** Path relative to the bag root, e.g. `data/events.ndjson`. */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
  /** The leaf position (decimal). */
  readonly seq?: string;
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
}

/** Status of a check. */
export type CheckStatus = 'valid' | 'invalid' | 'skipped';

/** One check of the report. */
export interface CheckResult {
  readonly name: CheckName;
  readonly title: string;
  readonly status: CheckStatus;
  readonly summary: string;
  /** The first failures (at most `maxFailuresPerCheck`); `failureCount` counts them all. */
  readonly failures: readonly VerificationFailure[];
  readonly failureCount: number;
}

/** Counts of the report. */
export interface VerificationCounts {
  /** Shown events (lines of `events.ndjson`). */
  readonly events: number;
  readonly eventsValid: number;
  readonly eventsInvalid: number;
  readonly withheld: number;
  readonly purged: number;
  /** Lines of `leaves.txt`. */
  readonly leaves: number;
  readonly proofHashes: number;
  /** Files in the bag (including tag files and `seal.txt`). */
  readonly files: number;
  /** Size of the archive. */
  readonly bytes: number;
}

/** What the bundle says about itself (from `proof.json`, `bag-info.txt`, `custody.json`; unverified until `valid`). */
export interface BundleDescription {
  readonly bagName?: string;
  readonly format?: string;
  readonly origin?: string;
  readonly organizationId?: string;
  readonly mode?: string;
  readonly range?: { readonly from: string; readonly to: string } | null;
  readonly treeSize?: string;
  readonly exportId?: string;
  readonly exportedAt?: string;
  readonly matter?: { readonly name: string; readonly number: string };
  readonly controlNumbers?: string;
  /** Verifier keys of `data/keys.txt` (hints only) with their fingerprints. */
  readonly keyHints?: readonly { readonly vkey: string; readonly fingerprint: string }[];
  /** Keys that signed the seal and checkpoints and are trusted. */
  readonly signedBy?: readonly { readonly vkey: string; readonly fingerprint: string }[];
}

/** The report of {@link verifyBundle}. */
export interface VerificationReport {
  readonly format: 'custody.verification/v1';
  /** Every check is valid. */
  readonly valid: boolean;
  /** The input could not be read as a bundle (not a ZIP, truncated, a limit exceeded): exit code 2. */
  readonly unusable: boolean;
  readonly bundle: BundleDescription;
  readonly checks: readonly CheckResult[];
  readonly counts: VerificationCounts;
  /** Lowercase hex SHA-256 of the whole archive, when computed (`hashArchive` option). */
  readonly archiveSha256?: string;
  readonly durationMs: number;
}

/** Exit code semantics of `custody verify`: 0 valid, 1 invalid, 2 unusable input. */
export function verificationExitCode(report: Pick<VerificationReport, 'valid' | 'unusable'>): 0 | 1 | 2 {
  return report.unusable ? 2 : report.valid ? 0 : 1;
}
