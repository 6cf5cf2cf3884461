/**
 * The server's checkpoint signing key: an Ed25519 key in the C2SP/Go text form, kept in a file only
 * its owner can read. Every key that ever signed is published (table `signing_keys`), so old
 * checkpoints stay verifiable after a rotation.
 */
import { chmod, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { Kysely } from 'kysely';

import type { Database } from '@custody/db';
import { generateSigner, keyFingerprint, parseSignerKey, parseVerifierKey } from '@custody/ledger';

import { AppError } from './errors';
import { makeDirectory } from './make-directory';
import { nodeEd25519, nodeSha256 } from './node-crypto';

const CRYPTO = { sha256: nodeSha256, ed25519: nodeEd25519 };

/** The active signing key. */
export interface TSigningKey {
  /** `PRIVATE+KEY+<name>+<id>+<base64>`: secret. */
  readonly skey: string;
  /** `<name>+<id>+<base64>`: public. */
  readonly vkey: string;
  readonly name: string;
  /** 8 lowercase hex digits. */
  readonly keyId: string;
  readonly fingerprint: string;
}

/** A published verifier key. */
export interface TPublishedKey {
  vkey: string;
  keyId: string;
  fingerprint: string;
  createdAt: string;
  retiredAt: string | null;
}

function describe(skey: string): TSigningKey {
  const signer = parseSignerKey(skey, CRYPTO);
  const verifier = parseVerifierKey(signer.vkey, CRYPTO);
  return {
    skey,
    vkey: signer.vkey,
    name: verifier.name,
    keyId: verifier.keyId,
    fingerprint: keyFingerprint(signer.vkey, CRYPTO),
  };
}

/**
 * Loads the signing key from `file`, or creates it (mode 0600) when it does not exist.
 * `created` tells the caller to announce it. Refuses a key file others can read.
 */
export async function loadOrCreateSigningKey(file: string, name: string): Promise<{ key: TSigningKey; created: boolean }> {
  let text: string | undefined;
  try {
    const info = await stat(file);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new AppError('BAD_REQUEST', `signing key file ${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}): run chmod 600 ${file}`);
    }
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    try {
      return { key: describe(text), created: false };
    } catch (cause) {
      throw new AppError('BAD_REQUEST', `signing key file ${file} does not hold a valid Ed25519 signer key`, { cause });
    }
  }
  const { skey } = generateSigner(name, CRYPTO);
  await makeDirectory(dirname(file), 0o700);
  // `wx`: never overwrite a key another process created a moment ago.
  try {
    await writeFile(file, `${skey}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSigningKey(file, name);
    throw error;
  }
  await chmod(file, 0o600);
  return { key: describe(skey), created: true };
}

/** Parses a signer key given directly (e.g. from the environment). */
export function signingKeyFromText(skey: string): TSigningKey {
  try {
    return describe(skey.trim());
  } catch (cause) {
    throw new AppError('BAD_REQUEST', 'the signing key is not a valid Ed25519 signer key (PRIVATE+KEY+<name>+<id>+<base64>)', { cause });
  }
}

/**
 * Replaces the key in `file` with a new one and keeps the old file as `<file>.<keyid>.retired`.
 * Returns the new key. Servers pick it up at their next start.
 */
export async function rotateSigningKeyFile(file: string, name: string): Promise<{ previous: TSigningKey; next: TSigningKey }> {
  const { key: previous } = await loadOrCreateSigningKey(file, name);
  await rename(file, `${file}.${previous.keyId}.retired`);
  const { key: next } = await loadOrCreateSigningKey(file, name);
  return { previous, next };
}

/** The table of published verifier keys. */
export class SigningKeys {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Records `key` as the active key: inserts it if new and marks every other key retired.
   * Idempotent, and safe when several processes start with the same key.
   */
  async activate(key: TSigningKey): Promise<void> {
    const now = Date.now();
    await this.#db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('signing_keys').select(['key_id', 'vkey']).where('vkey', '=', key.vkey).executeTakeFirst();
      if (existing === undefined) {
        await trx
          .insertInto('signing_keys')
          .values({ key_id: `${key.name}+${key.keyId}`, vkey: key.vkey, created_at: now, retired_at: null })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      await trx.updateTable('signing_keys').set({ retired_at: now }).where('vkey', '!=', key.vkey).where('retired_at', 'is', null).execute();
    });
  }

  /** Every key that ever signed, the active one first. */
  async list(): Promise<TPublishedKey[]> {
    const rows = await this.#db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    return rows
      .map((r) => {
        const v = parseVerifierKey(r.vkey, CRYPTO);
        return {
          vkey: r.vkey,
          keyId: v.keyId,
          fingerprint: keyFingerprint(r.vkey, CRYPTO),
          createdAt: new Date(r.created_at).toISOString(),
          retiredAt: r.retired_at === null ? null : new Date(r.retired_at).toISOString(),
        };
      })
      .sort((a, b) => Number(a.retiredAt !== null) - Number(b.retiredAt !== null));
  }
}
