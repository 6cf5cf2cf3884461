/**
 * The writer thread's entry point (see `LogWriterThread`): opens its own connection and runs a
 * `LogWriter` on the events the main thread validated and prepared, and a `Checkpointer` (no loop of its
 * own: the main thread's asks it to sign) on the same connection.
 */
import { CompiledQuery } from 'kysely';

import type { TCheckpointRow } from '@custody/db';

import { Checkpointer } from './checkpointer';
import { isAppError } from './errors';
import { LogWriter } from './log-writer';
import type { TPreparedEvent } from './log-writer';
import type { TWriterMessage, TWriterRequest, TWriterThreadData } from './log-writer-thread';
import { signingKeyFromText } from './signing-keys';
import { databaseWorker } from './worker-side';

const { port, data, send, openDatabase } = databaseWorker<TWriterThreadData, TWriterMessage>('log-writer.worker');
const database = await openDatabase(data.database);
const writer = new LogWriter(database.db, database.dialect, data.writer);
writer.onCommitted((info, sizes) => send({ type: 'committed', info, sizes: [...sizes] }));
/** Rows this thread signed and no request has yet been told it signed (concurrent requests share one signing). */
const signed = new Set<TCheckpointRow>();
const checkpointer =
  data.signingKey === undefined ? null : new Checkpointer(database.db, database.dialect, signingKeyFromText(data.signingKey), { onSigned: (row) => signed.add(row) });

/** What went wrong underneath, for the server's log (a database's own message, never sent to callers). */
function causeOf(error: unknown): string | undefined {
  const cause = isAppError(error) ? error.cause : error;
  if (cause === undefined) return undefined;
  if (!(cause instanceof Error)) return typeof cause === 'string' ? cause : JSON.stringify(cause);
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
}

/** Reports a request's failure: its code when it is ours, else a retryable UNAVAILABLE; with its cause, if any. */
function failed(id: number, error: unknown, otherwise: string): void {
  const cause = causeOf(error);
  send({
    type: 'failed',
    id,
    code: isAppError(error) ? error.code : 'UNAVAILABLE',
    message: isAppError(error) ? error.message : otherwise,
    ...(isAppError(error) && error.details !== undefined ? { details: error.details } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}

port.on('message', (request: TWriterRequest) => {
  if (request.type === 'close') {
    void writer
      .close()
      .then(() => database.close())
      .finally(() => {
        send({ type: 'closed' });
        port.close();
      });
    return;
  }
  if (request.type === 'execute') {
    database.db.executeQuery(CompiledQuery.raw(request.sql, [...request.parameters])).then(
      () => send({ type: 'executed', id: request.id }),
      (error: unknown) => failed(request.id, error, 'the write could not be made; retry'),
    );
    return;
  }
  if (request.type === 'checkpoint') {
    if (checkpointer === null) return failed(request.id, null, 'this writer thread has no signing key');
    checkpointer.checkpoint(request.organizationId).then(
      (row) => send({ type: 'checkpointed', id: request.id, row, signed: signed.delete(row) }),
      (error: unknown) => failed(request.id, error, 'the checkpoint could not be signed; retry'),
    );
    return;
  }
  writer.append(request.organizationId, JSON.parse(request.events) as TPreparedEvent[]).then(
    (results) => send({ type: 'result', id: request.id, results: [...results] }),
    (error: unknown) => failed(request.id, error, 'the events could not be committed; nothing was stored, retry'),
  );
});
send({ type: 'ready' });
