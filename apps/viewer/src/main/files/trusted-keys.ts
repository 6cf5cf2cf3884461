/**
 * The examiner's trusted verifier keys (`trusted-keys.json` in the user-data folder). A key is trusted only by an
 * explicit decision in the UI (the key-trust dialog shows its fingerprint); keys inside a bundle are hints, never
 * trusted by themselves. Every key is parsed with the ledger (key id recomputed) before it is stored.
 */
import { join } from 'node:path';

import { z } from 'zod';

import { keyFingerprint, parseVerifierKey } from '@custody/ledger';

import { ZTrustedKeySchema } from '../../shared/ipc-contract';
import type { TTrustedKey } from '../../shared/ipc-contract';
import { readJsonFile, writeJsonFile } from './json-store';

const ZTrustStoreSchema = z.object({ format: z.literal('custody.viewer.trusted-keys/v1'), keys: z.array(ZTrustedKeySchema).max(1000) });
type TTrustStore = z.infer<typeof ZTrustStoreSchema>;

/** A key that does not parse: the message is for the user. */
export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';
}

/** Describes a verifier key for the trust list; throws {@link InvalidKeyError} for anything that is not one. */
export function describeTrustedKey(vkey: string, label: string, now = new Date()): TTrustedKey {
  try {
    const key = parseVerifierKey(vkey);
    return { vkey: key.vkey, name: key.name, keyId: key.keyId, fingerprint: keyFingerprint(key.vkey), label: label.trim(), addedAt: now.toISOString() };
  } catch (error) {
    throw new InvalidKeyError(`not a valid verifier key: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The trusted keys of one user-data folder. */
export class TrustedKeyStore {
  readonly #file: string;

  constructor(userDataDir: string) {
    this.#file = join(userDataDir, 'trusted-keys.json');
  }

  /** The trusted keys, oldest first. */
  async list(): Promise<TTrustedKey[]> {
    return (await readJsonFile(this.#file, ZTrustStoreSchema, { format: 'custody.viewer.trusted-keys/v1', keys: [] })).keys;
  }

  /** Trusts `vkey` (again: the label is updated). Returns the new list. */
  async trust(vkey: string, label: string): Promise<TTrustedKey[]> {
    const key = describeTrustedKey(vkey, label);
    const keys = await this.list();
    const existing = keys.find((k) => k.vkey === key.vkey);
    const next = existing === undefined ? [...keys, key] : keys.map((k) => (k.vkey === key.vkey ? { ...k, label: key.label } : k));
    await writeJsonFile(this.#file, { format: 'custody.viewer.trusted-keys/v1', keys: next } satisfies TTrustStore);
    return next;
  }

  /** Stops trusting `vkey`. Returns the new list. */
  async untrust(vkey: string): Promise<TTrustedKey[]> {
    const next = (await this.list()).filter((k) => k.vkey !== vkey);
    await writeJsonFile(this.#file, { format: 'custody.viewer.trusted-keys/v1', keys: next } satisfies TTrustStore);
    return next;
  }
}
