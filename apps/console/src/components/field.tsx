import { useId } from 'react';
import type { ReactNode } from 'react';

/** What a control needs to be labelled and described. */
export interface TFieldControlProps {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': boolean;
}

/**
 * A labelled form control with optional help or error text. The label names only the control; help and
 * errors are attached with `aria-describedby`, so the control's accessible name stays short.
 */
export function Field({ label, help, error, className, children }: {
  label: ReactNode;
  help?: ReactNode;
  error?: string | undefined;
  className?: string;
  children: (control: TFieldControlProps) => ReactNode;
}) {
  const id = useId();
  const describedBy = error !== undefined || help !== undefined ? `${id}-help` : undefined;
  return (
    <div className={className === undefined ? 'field' : `field ${className}`}>
      <label className="field-label" htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error !== undefined })}
      {(error !== undefined || help !== undefined) && (
        <span id={describedBy} className={error !== undefined ? 'field-help field-help-error' : 'field-help'}>
          {error ?? help}
        </span>
      )}
    </div>
  );
}
