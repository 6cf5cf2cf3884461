/**
 * The custody.evidence/v1 bundle format: file names, the seal text, and the JSON records. The normative
 * description is docs/bundle-format.md; this module is its code form.
 */

/** The format id, in `bag-info.txt` (`Custody-Format`) and the seal. */
export const BUNDLE_FORMAT = 'custody.evidence/v1';
export const PROOF_FORMAT = 'custody.evidence.proof/v1';
export const CUSTODY_FORMAT = 'custody.evidence.custody/v1';
export const CHAIN_FORMAT = 'custody.evidence.chain/v1';

/** Payload and tag file paths, relative to the bag root. */
export const PATHS = {
  bagit: 'bagit.txt',
  bagInfo: 'bag-info.txt',
  manifest: 'manifest-sha256.txt',
  tagManifest: 'tagmanifest-sha256.txt',
  seal: 'seal.txt',
  events: 'data/events.ndjson',
  leaves: 'data/leaves.txt',
  proof: 'data/proof.json',
  proofHashes: 'data/proof-hashes.txt',
  checkpointsDir: 'data/checkpoints/',
  chain: 'data/checkpoints/chain.json',
  purges: 'data/purges.ndjson',
  custody: 'data/custody.json',
  keys: 'data/keys.txt',
} as const;

/** Payload files every bundle has (the production files `events.csv`, `README.txt`… are optional here). */
export const REQUIRED_PAYLOAD = [
  PATHS.events, PATHS.leaves, PATHS.proof, PATHS.proofHashes, PATHS.chain, PATHS.purges, PATHS.custody, PATHS.keys,
] as const;

/** Tag files every bundle has; `seal.txt` is the one file outside every manifest. */
export const REQUIRED_TAG_FILES = [PATHS.bagit, PATHS.bagInfo, PATHS.manifest, PATHS.tagManifest, PATHS.seal] as const;

/** The checkpoint file of a tree size. */
export function checkpointPath(size: bigint | number | string): string {
  return `${PATHS.checkpointsDir}${size.toString()}.txt`;
}

/** Export modes: every leaf of a seq range (complete) or only the selected events. */
export type BundleMode = 'complete-range' | 'selected';

/** The seal's signed text: names the bag and the SHA-256 of its tag manifest, which covers everything else. */
export function sealText(bagName: string, tagManifestSha256Hex: string): string {
  return `${BUNDLE_FORMAT} seal\nbag ${bagName}\ntagmanifest-sha256 ${tagManifestSha256Hex}\n`;
}

/** Bag names: a safe folder name (letters, digits, `.`, `_`, `-`; 1–128 characters, not starting with a dot). */
export const BAG_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A leaf kind in `leaves.txt`. */
export type LeafKind = 'event' | 'withheld' | 'purged';

/** `data/proof.json`. Sizes and seqs are decimal strings (they may exceed 2^53 in other tools). */
export interface ProofRecord {
  readonly format: typeof PROOF_FORMAT;
  readonly origin: string;
  readonly mode: BundleMode;
  readonly tree_size: string;
  readonly range: { readonly from: string; readonly to: string } | null;
  readonly leaf_count: number;
  readonly proof_hash_count: number;
}

/** One link of `data/checkpoints/chain.json`. */
export interface ChainLinkRecord {
  readonly size: string;
  readonly file: string;
  /** Consistency proof from the previous link's tree to this one (base64 hashes); `[]` for the first link. */
  readonly consistency_proof: readonly string[];
}

/** `data/checkpoints/chain.json`: checkpoint links, oldest first; the last one is what the proof verifies against. */
export interface ChainRecord {
  readonly links: readonly ChainLinkRecord[];
}

/** Who exported. */
export interface ExportedBy {
  readonly type: 'api_key' | 'cli' | 'user';
  readonly id: string;
  readonly name: string;
}

/** Control numbers of the shown events (Bates style): line k has `<prefix><first + k, zero-padded to width>`. */
export interface ControlNumbers {
  readonly prefix: string;
  readonly first: number;
  readonly last: number;
  readonly width: number;
}

/** The chain-of-custody record, `data/custody.json`. */
export interface CustodyRecord {
  readonly format: typeof CUSTODY_FORMAT;
  readonly export_id: string;
  /** UTC, RFC 3339 with milliseconds (`2026-03-14T09:26:53.589Z`). */
  readonly exported_at: string;
  readonly exported_by: ExportedBy;
  readonly reason: string;
  readonly matter: { readonly name: string; readonly number: string };
  readonly custodian: string;
  readonly source_organization: string;
  readonly organization_id: string;
  readonly origin: string;
  /** The exact filter of the export, as the server received it. */
  readonly filter: unknown;
  readonly mode: BundleMode;
  readonly range: { readonly from: string; readonly to: string } | null;
  readonly tree_size: string;
  readonly counts: { readonly shown: number; readonly withheld: number; readonly purged: number; readonly total: number };
  /** `null` when no event is shown. */
  readonly control_numbers: ControlNumbers | null;
  readonly tool_version: string;
  /** Custody entries of the bundle(s) this one was re-exported from, oldest first (each without `previous`). */
  readonly previous: readonly Readonly<Record<string, unknown>>[];
}
