/**
 * A tiny key-value store over IndexedDB for the browser `ViewerApi` (trusted keys, recent files, case files). If
 * IndexedDB is unavailable (private windows of some browsers), values live in memory for the session.
 */

/** The store's operations. */
export interface TKvStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

const STORE = 'kv';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** An in-memory store (tests, or no IndexedDB). */
export function createMemoryKvStore(): TKvStore {
  const values = new Map<string, unknown>();
  return {
    get: <T>(key: string) => Promise.resolve(structuredClone(values.get(key)) as T | undefined),
    set: (key, value) => {
      values.set(key, structuredClone(value));
      return Promise.resolve();
    },
    delete: (key) => {
      values.delete(key);
      return Promise.resolve();
    },
  };
}

/** Opens (lazily, on first use) the IndexedDB database `name`. */
export function createIndexedDbKvStore(name = 'custody-viewer'): TKvStore {
  let database: Promise<IDBDatabase | null> | undefined;
  const fallback = createMemoryKvStore();

  function open(): Promise<IDBDatabase | null> {
    database ??= new Promise((resolve) => {
      if (typeof indexedDB === 'undefined') {
        resolve(null);
        return;
      }
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    });
    return database;
  }

  async function run<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> {
    const db = await open();
    if (db === null) return undefined;
    const transaction = db.transaction(STORE, mode);
    const result = await request(fn(transaction.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  }

  return {
    async get<T>(key: string) {
      if ((await open()) === null) return fallback.get<T>(key);
      return (await run('readonly', (store) => store.get(key))) as T | undefined;
    },
    async set(key, value) {
      if ((await open()) === null) return fallback.set(key, value);
      await run('readwrite', (store) => store.put(value, key));
    },
    async delete(key) {
      if ((await open()) === null) return fallback.delete(key);
      await run('readwrite', (store) => store.delete(key));
    },
  };
}
