/**
 * The web preferences of every viewer window (house style §8 convention 12; Electron security checklist #2-4,
 * #6, #8-11): context isolation, the process sandbox, no Node anywhere, no `<webview>`, web security untouched.
 */
import type { WebPreferences } from 'electron';

/** The settings every window is created with (the preload path is added per window). */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webviewTag: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const satisfies WebPreferences;

/** Settings that must hold for any web contents the app creates, with the value they must have. */
const REQUIRED: readonly (readonly [keyof WebPreferences, unknown])[] = [
  ['contextIsolation', true],
  ['sandbox', true],
  ['nodeIntegration', false],
  ['nodeIntegrationInWorker', false],
  ['nodeIntegrationInSubFrames', false],
  ['webviewTag', false],
  ['webSecurity', true],
  ['allowRunningInsecureContent', false],
  ['experimentalFeatures', false],
];

/** The settings of `preferences` that break the policy (empty when secure). Missing settings count as insecure. */
export function insecureWebPreferences(preferences: WebPreferences | null | undefined): string[] {
  if (preferences === null || preferences === undefined) return ['(no web preferences)'];
  const problems: string[] = REQUIRED.filter(([key, value]) => preferences[key] !== value).map(([key, value]) => `${key} must be ${String(value)}`);
  if (typeof preferences.enableBlinkFeatures === 'string' && preferences.enableBlinkFeatures !== '') problems.push('enableBlinkFeatures must be unset');
  return problems;
}

/** Builds a window's preferences: the secure set plus its preload (an absolute path inside the app). */
export function windowWebPreferences(extra: { preload?: string; javascript?: boolean } = {}): WebPreferences {
  return { ...SECURE_WEB_PREFERENCES, ...extra };
}
