/**
 * Permission policy (Electron security checklist #5): Electron grants every permission by default; the viewer
 * needs none (no camera, notifications, geolocation, clipboard-read, HID, serial, USB, …), so every request and
 * every check is denied.
 */
import type { Session } from 'electron';

/** The part of a session the policy configures. */
export type TPermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

/** Denies all permission requests, checks and device grants on `session`. */
export function denyAllPermissions(session: TPermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
