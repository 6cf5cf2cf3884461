/**
 * Loads data for a component: loading, success and error states, a reload function, and no update after the
 * inputs changed (a stale response never overwrites a newer one).
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export type TAsyncState<T> =
  | { status: 'loading'; data: T | undefined; error: undefined }
  | { status: 'success'; data: T; error: undefined }
  | { status: 'error'; data: T | undefined; error: unknown };

/**
 * Runs `load` whenever `key` changes (and on `reload()`). On `reload()` `data` keeps the previous result, so
 * screens do not flash; a new `key` starts empty, so stale results are never shown as current. The signal
 * aborts when the result is no longer wanted (a new key, a reload, unmounting): pass it to the call so the
 * request closes and the server stops its work.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, key: string): TAsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<TAsyncState<T>>({ status: 'loading', data: undefined, error: undefined });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const keyRef = useRef(key);

  useEffect(() => {
    let current = true;
    const abort = new AbortController();
    const sameKey = keyRef.current === key;
    keyRef.current = key;
    setState((previous) => ({ status: 'loading', data: sameKey ? previous.data : undefined, error: undefined }));
    loadRef.current(abort.signal).then(
      (data) => current && setState({ status: 'success', data, error: undefined }),
      (error: unknown) => current && setState((previous) => ({ status: 'error', data: previous.data, error })),
    );
    return () => {
      current = false;
      abort.abort();
    };
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
