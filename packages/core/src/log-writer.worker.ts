/**
 * The writer thread's entry point (see `LogWriterThread`): opens its own connection and runs a
 * `LogWriter` on the events the main thread validated and prepared.
 */
import { isAppError } from './errors';
import { LogWriter } from './log-writer';
import type { TPreparedEvent } from './log-writer';
import type { TWriterMessage, TWriterRequest, TWriterThreadData } from './log-writer-thread';
import { databaseWorker } from './worker-side';

const { port, data, send, openDatabase } = databaseWorker<TWriterThreadData, TWriterMessage>('log-writer.worker');
const database = await openDatabase(data.database);
const writer = new LogWriter(database.db, database.dialect, data.writer);
writer.onCommitted((info, sizes) => send({ type: 'committed', info, sizes: [...sizes] }));

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
  writer.append(request.organizationId, JSON.parse(request.events) as TPreparedEvent[]).then(
    (results) => send({ type: 'result', id: request.id, results: [...results] }),
    (error: unknown) =>
      send({
        type: 'failed',
        id: request.id,
        code: isAppError(error) ? error.code : 'UNAVAILABLE',
        message: isAppError(error) ? error.message : 'the events could not be committed; nothing was stored, retry',
      }),
  );
});
send({ type: 'ready' });
