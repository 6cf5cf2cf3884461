import { useEffect, useState } from 'react';
import type { RefObject } from 'react';

/**
 * Copies `text` to the clipboard and says so for two seconds.
 *
 * `navigator.clipboard` exists only in secure contexts (HTTPS, localhost): over plain HTTP to another host it
 * is `undefined`, so the button falls back to `document.execCommand('copy')` on a hidden text area. When no
 * copy was possible it says "Copy failed: select and copy" and selects the text of `selectTarget` (the
 * visible value, when there is one), so Ctrl+C or the context menu copies it: a secret shown only once must
 * never be lost to a silent failure.
 */
export function CopyButton({ text, label = 'Copy', className, selectTarget }: {
  text: string;
  label?: string;
  className?: string;
  selectTarget?: RefObject<HTMLElement | null>;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), state === 'failed' ? 6000 : 2000);
    return () => window.clearTimeout(timer);
  }, [state]);
  const copy = () => {
    void copyText(text).then((copied) => {
      setState(copied ? 'copied' : 'failed');
      const target = selectTarget?.current;
      if (!copied && target !== null && target !== undefined) selectContents(target);
    });
  };
  return (
    <button type="button" className={className ?? 'button button-small'} onClick={copy} aria-live="polite">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select and copy' : label}
    </button>
  );
}

/** Copies with the Clipboard API when the page has it and it works, else with `execCommand('copy')`. */
async function copyText(text: string): Promise<boolean> {
  // Typed as always present, but undefined outside secure contexts.
  const clipboard = navigator.clipboard as Clipboard | undefined;
  if (clipboard !== undefined) {
    try {
      await clipboard.writeText(text);
      return true;
    } catch {
      // Denied (no permission, document not focused): try the older way.
    }
  }
  return copyWithCommand(text);
}

function copyWithCommand(text: string): boolean {
  const previous = document.activeElement;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.setAttribute('aria-hidden', 'true');
  Object.assign(area.style, { position: 'fixed', top: '0', left: '0', width: '1px', height: '1px', opacity: '0' });
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    // Deprecated, but the only way to copy where the Clipboard API is missing (plain HTTP).
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  if (previous instanceof HTMLElement) previous.focus();
  return copied;
}

function selectContents(element: HTMLElement): void {
  const selection = window.getSelection();
  if (selection === null) return;
  const range = document.createRange();
  range.selectNodeContents(element);
  selection.removeAllRanges();
  selection.addRange(range);
}
