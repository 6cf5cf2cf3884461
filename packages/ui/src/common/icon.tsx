/**
 * The components' icons: 16×16 stroke icons drawn inline (no icon font, no network). Always decorative
 * (`aria-hidden`): every icon sits next to text or inside a labelled control.
 */
import type { ReactElement } from 'react';

const PATHS = {
  check: 'M3.5 8.5l3 3 6-7',
  clock: 'M8 4.5V8l2.5 1.5M14 8A6 6 0 1 1 2 8a6 6 0 0 1 12 0z',
  x: 'M4 4l8 8M12 4l-8 8',
  alert: 'M8 2.5l6 11H2l6-11zM8 6.5v3.5M8 12v.01',
  ban: 'M14 8A6 6 0 1 1 2 8a6 6 0 0 1 12 0zM3.8 3.8l8.4 8.4',
  star: 'M8 2l1.8 3.9 4.2.5-3.1 2.9.8 4.2L8 11.4l-3.7 2.1.8-4.2L2 6.4l4.2-.5L8 2z',
  note: 'M3.5 2.5h6l3 3v8h-9v-11zM9.5 2.5v3h3M5.5 8.5h5M5.5 11h3.5',
  tag: 'M2.5 2.5h5l6 6-5 5-6-6v-5zM5.5 5.5v.01',
  columns: 'M2.5 3h11v10h-11zM6.2 3v10M9.8 3v10',
  search: 'M11 11l3 3M12 7A5 5 0 1 1 2 7a5 5 0 0 1 10 0z',
  back: 'M10 3L5 8l5 5',
  forward: 'M6 3l5 5-5 5',
  up: 'M4 10l4-4 4 4',
  down: 'M4 6l4 4 4-4',
  zoomOut: 'M10.5 10.5l3.5 3.5M11.5 6.5a5 5 0 1 1-10 0 5 5 0 0 1 10 0zM4.5 6.5h4',
  reset: 'M2.5 8a5.5 5.5 0 1 0 1.6-3.9M2.5 2.5v3h3',
  shieldCheck: 'M8 1.5l5.5 2v4c0 3.5-2.4 5.9-5.5 7-3.1-1.1-5.5-3.5-5.5-7v-4L8 1.5zM5.5 8l1.8 1.8L10.8 6',
  shieldX: 'M8 1.5l5.5 2v4c0 3.5-2.4 5.9-5.5 7-3.1-1.1-5.5-3.5-5.5-7v-4L8 1.5zM6 6l4 4M10 6l-4 4',
  shieldAlert: 'M8 1.5l5.5 2v4c0 3.5-2.4 5.9-5.5 7-3.1-1.1-5.5-3.5-5.5-7v-4L8 1.5zM8 5v3.5M8 10.8v.01',
  key: 'M10 2.5a3.5 3.5 0 1 1-3.2 4.9L2.5 11.7v1.8h2.2v-1.5h1.5v-1.5h1.5l1-1A3.5 3.5 0 0 1 10 2.5zM11 5v.01',
  copy: 'M5.5 5.5h8v8h-8zM10.5 5.5v-3h-8v8h3',
  plus: 'M8 3v10M3 8h10',
  minus: 'M3 8h10',
  filterIn: 'M8 3v10M3 8h10',
  filterOut: 'M3 8h10',
  jump: 'M6 3.5H3.5v9h9V10M9 2.5h4.5V7M13.5 2.5L7.5 8.5',
  context: 'M2.5 4h11M2.5 8h11M2.5 12h11M1 8h.01',
  list: 'M5.5 4h8M5.5 8h8M5.5 12h8M2.5 4h.01M2.5 8h.01M2.5 12h.01',
  hourglass: 'M4 2.5h8M4 13.5h8M5 2.5c0 3 6 3.5 6 5.5s-6 2.5-6 5.5M11 2.5c0 3-6 3.5-6 5.5s6 2.5 6 5.5',
  sun: 'M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M3.4 12.6l1-1M11.6 4.4l1-1M10.5 8a2.5 2.5 0 1 1-5 0 2.5 2.5 0 0 1 5 0z',
  moon: 'M13.5 9.5A5.5 5.5 0 0 1 6.5 2.5a5.5 5.5 0 1 0 7 7z',
} as const;

/** An icon's name. */
export type TIconName = keyof typeof PATHS;

/** A decorative inline icon. `filled` fills the shape (a starred star). */
export function Icon({ name, size = 16, filled = false, className }: { name: TIconName; size?: number; filled?: boolean; className?: string }): ReactElement {
  return (
    <svg
      className={className === undefined ? 'cu-icon' : `cu-icon ${className}`}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill={filled ? 'currentColor' : 'none'}
      stroke="currentColor"
      strokeWidth={1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
