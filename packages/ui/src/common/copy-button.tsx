import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';

import { Icon } from './icon';

/**
 * Copies `text` to the clipboard and says so for two seconds. `label` names what is copied
 * ("Copy leaf hash"). When the clipboard is unavailable (sandboxed renderers), it reports the failure.
 */
export function CopyButton({ text, label }: { text: string; label: string }): ReactElement {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return undefined;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className="cu-icon-button cu-copy"
      aria-label={label}
      title={state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
      onClick={() => {
        const clipboard = typeof navigator === 'undefined' ? undefined : (navigator.clipboard as Clipboard | undefined);
        if (clipboard === undefined) {
          setState('failed');
          return;
        }
        clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
      }}
    >
      <Icon name={state === 'copied' ? 'check' : 'copy'} size={14} />
      <span className="cu-visually-hidden" aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : ''}
      </span>
    </button>
  );
}
