import { describe, expect, it, vi } from 'vitest';

import { denyAllPermissions } from './permissions';
import type { TPermissionSession } from './permissions';

function fakeSession() {
  const handlers: { request?: (...args: unknown[]) => void; check?: (...args: unknown[]) => boolean; device?: (...args: unknown[]) => boolean } = {};
  const session = {
    setPermissionRequestHandler: vi.fn((h: typeof handlers.request) => (handlers.request = h)),
    setPermissionCheckHandler: vi.fn((h: typeof handlers.check) => (handlers.check = h)),
    setDevicePermissionHandler: vi.fn((h: typeof handlers.device) => (handlers.device = h)),
  };
  return { session: session as unknown as TPermissionSession, handlers };
}

describe('denyAllPermissions', () => {
  const permissions = ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'fullscreen', 'openExternal', 'hid', 'serial', 'usb', 'pointerLock', 'display-capture'];

  for (const permission of permissions) {
    it(`denies a request for ${permission}, even from the app's own page`, () => {
      const { session, handlers } = fakeSession();
      denyAllPermissions(session);
      const callback = vi.fn();
      handlers.request?.({ getURL: () => 'app://viewer/index.html' }, permission, callback, { requestingUrl: 'app://viewer/index.html' });
      expect(callback).toHaveBeenCalledWith(false);
      expect(handlers.check?.({}, permission, 'app://viewer', {})).toBe(false);
    });
  }

  it('denies device grants', () => {
    const { session, handlers } = fakeSession();
    denyAllPermissions(session);
    expect(handlers.device?.({ deviceType: 'usb', origin: 'app://viewer' })).toBe(false);
  });
});
