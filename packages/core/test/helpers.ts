import { createTestDatabase } from '@custody/db/testing';
import type { TDialectName, TTestDatabase } from '@custody/db/testing';
import { generateSigner } from '@custody/ledger';

import { Custody, isAppError, nodeEd25519, nodeSha256, signingKeyFromText } from '../src/index';
import type { TEventFilter, TExportRequest } from '../src/index';

export const LOG_NAME = 'custody.test';

/** A started Custody on a fresh database of `dialect`, and a way to tear both down. */
export async function createTestCustody(
  dialect: TDialectName,
  options: { intervalMs?: number; exportDir?: string; sqliteFile?: string; databaseTimeoutMs?: number } = {},
): Promise<{ custody: Custody; t: TTestDatabase; vkey: string; destroy: () => Promise<void> }> {
  const t = await createTestDatabase(dialect, options.sqliteFile === undefined ? {} : { file: options.sqliteFile });
  const { skey, vkey } = generateSigner(LOG_NAME, { sha256: nodeSha256, ed25519: nodeEd25519 });
  const custody = new Custody(t, {
    logName: LOG_NAME,
    signingKey: signingKeyFromText(skey),
    checkpoints: { intervalMs: options.intervalMs ?? 50 },
    ...(options.exportDir === undefined ? {} : { exports: { directory: options.exportDir } }),
    ...(options.databaseTimeoutMs === undefined ? {} : { databaseTimeoutMs: options.databaseTimeoutMs }),
  });
  await custody.start();
  return {
    custody,
    t,
    vkey,
    destroy: async () => {
      // Exports, ingest, checkpoints, query threads (on a file) and the database, then the test database itself.
      await custody.close();
      await t.destroy();
    },
  };
}

/** A valid event input with overrides. */
export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'user.signed_in',
    occurred_at: '2026-03-01T10:00:00.000Z',
    actor: { id: 'u_1', type: 'user', name: 'Alice' },
    targets: [{ id: 'acct_1', type: 'account' }],
    context: { location: '10.1.2.3', user_agent: 'Firefox/130' },
    metadata: { method: 'password' },
    ...overrides,
  };
}

/** The code and message of the `AppError` that `call` must reject with (anything else is rethrown). */
export async function refusal(call: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

/** Who asks for the exports of the filter tests. */
export const EXPORT_REQUESTER = { type: 'api_key' as const, id: 'key_test', name: 'paralegal' };

/** An NDJSON export of `filter`, with the matter and custody fields every export needs. */
export function exportRequest(filter: TEventFilter): TExportRequest {
  return { format: 'ndjson', filter, matter: { name: 'Acme v. Example', number: 'MAT-1' }, custodian: 'Jane', reason: 'RFP 1' };
}
