/**
 * The worker side of `startWorkerScript` for threads that open the database (the ingest writer, the query
 * readers): the port, `workerData`, a typed `send`, and opening the connection with a `start-failed`
 * message to the main thread when it cannot be opened.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';

import { openDatabase } from '@custody/db';
import type { CustodyDatabase, TOpenDatabaseOptions } from '@custody/db';

export interface TDatabaseWorker<TData, TMessage> {
  readonly port: MessagePort;
  readonly data: TData;
  readonly send: (message: TMessage) => void;
  /** Opens the thread's connection; tells the main thread `start-failed` (and throws) when it cannot. */
  readonly openDatabase: (options: TOpenDatabaseOptions) => Promise<CustodyDatabase>;
}

/** This thread as the worker `name`; throws if it is not running as a worker thread. */
export function databaseWorker<TData, TMessage extends { readonly type: string }>(name: string): TDatabaseWorker<TData, TMessage | { readonly type: 'start-failed'; readonly message: string }> {
  const port = parentPort;
  if (port === null) throw new Error(`${name} runs only as a worker thread`);
  const send = (message: TMessage | { readonly type: 'start-failed'; readonly message: string }) => port.postMessage(message);
  return {
    port,
    data: workerData as TData,
    send,
    openDatabase: async (options) => {
      try {
        return await openDatabase(options);
      } catch (error) {
        send({ type: 'start-failed', message: error instanceof Error ? error.message : String(error) });
        throw error;
      }
    },
  };
}
