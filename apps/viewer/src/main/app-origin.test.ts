import { describe, expect, it } from 'vitest';

import { isAppUrl, isReportUrl } from './app-origin';

describe('isAppUrl', () => {
  it('accepts only app://viewer (and the dev server in development)', () => {
    expect(isAppUrl('app://viewer/index.html', { devServer: null })).toBe(true);
    expect(isAppUrl('app://VIEWER/index.html', { devServer: null })).toBe(false);
    expect(isAppUrl('app://report/x.html', { devServer: null })).toBe(false);
    expect(isAppUrl('http://localhost:5173/', { devServer: null })).toBe(false);
    expect(isAppUrl('http://localhost:5173/', { devServer: 'http://localhost:5173' })).toBe(true);
    expect(isAppUrl('http://localhost:5173.evil.example/', { devServer: 'http://localhost:5173' })).toBe(false);
    expect(isAppUrl('file:///app/index.html', { devServer: null })).toBe(false);
  });

  it('recognizes report pages', () => {
    expect(isReportUrl('app://report/0.html')).toBe(true);
    expect(isReportUrl('app://viewer/0.html')).toBe(false);
  });
});
