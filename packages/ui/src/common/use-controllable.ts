import { useCallback, useRef, useState } from 'react';

/**
 * State that a parent may control: when `value` is given it wins (and `set` only reports through
 * `onChange`); otherwise the component keeps its own, starting at `initial`.
 */
export function useControllable<T>(value: T | undefined, initial: T | (() => T), onChange?: (next: T) => void): [T, (next: T) => void] {
  const [own, setOwn] = useState<T>(initial);
  const controlled = value !== undefined;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const set = useCallback(
    (next: T) => {
      if (!controlled) setOwn(next);
      onChangeRef.current?.(next);
    },
    [controlled],
  );
  return [controlled ? value : own, set];
}
