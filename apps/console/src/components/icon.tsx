/** Small stroke icons (16 px, currentColor), drawn inline so they never depend on installed fonts. */
const PATHS = {
  events: 'M3 4h10M3 8h10M3 12h6',
  log: 'M6.5 9.5l3-3M7 4.5l1-1a2.5 2.5 0 013.5 3.5l-1 1M9 11.5l-1 1A2.5 2.5 0 014.5 9l1-1',
  registry: 'M6 2.5c-1.5 0-2 .8-2 2v1.5c0 1-.7 2-1.5 2 .8 0 1.5 1 1.5 2v1.5c0 1.2.5 2 2 2M10 2.5c1.5 0 2 .8 2 2v1.5c0 1 .7 2 1.5 2-.8 0-1.5 1-1.5 2v1.5c0 1.2-.5 2-2 2',
  keys: 'M9.5 6.5a3 3 0 11-.01 0M7.4 8.6L2.5 13.5M4 12l1.5 1.5M5.5 10.5L7 12',
  organizations: 'M2.5 13.5h11M3.5 13.5v-9l4-2 4 2v9M6 6.5h1M9 6.5h1M6 9h1M9 9h1M7 13.5v-2h2v2',
  search: 'M7 12.5a5.5 5.5 0 110-11 5.5 5.5 0 010 11zM11 11l3.5 3.5',
  exports: 'M8 2.5v7.5M4.75 7L8 10.25 11.25 7M3 13.5h10',
  menu: 'M2.5 4h11M2.5 8h11M2.5 12h11',
} as const;

export type TIconName = keyof typeof PATHS;

export function Icon({ name, size = 16 }: { name: TIconName; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} />
    </svg>
  );
}
