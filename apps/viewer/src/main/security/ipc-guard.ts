/**
 * IPC policy (Electron security checklist #17; house style §8 convention 12). Every invoke channel is registered
 * through {@link registerIpcHandlers}, which, before the handler runs:
 *
 * 1. checks the sender: the main frame of one of the app's own pages (`event.senderFrame`, URL-parsed);
 * 2. zod-parses the whole argument tuple against `CHANNEL_ARGS` (no extra, missing or ill-typed argument).
 *
 * A refused call rejects with a short message and never reaches the handler. Handlers return plain data.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';

import { CHANNEL_ARGS, CHANNELS } from '../../shared/ipc-contract';
import type { TChannel, TChannelArgs, ViewerApi } from '../../shared/ipc-contract';
import { isAppUrl } from '../app-origin';
import type { TAppOrigins } from '../app-origin';

/** The sender fields the guard reads. */
export type TIpcEvent = Pick<IpcMainInvokeEvent, 'senderFrame'>;

/** One handler per channel, taking the parsed arguments and answering what `ViewerApi` promises. */
export type TIpcHandlers = { [C in TChannel]: (...args: TChannelArgs<C>) => ReturnType<ViewerApi[C]> };

/** A call the guard refused: the message is safe to show. */
export class IpcRefusedError extends Error {
  override readonly name = 'IpcRefusedError';
}

/** Whether the event comes from the main frame of one of the app's own pages. */
export function isTrustedSender(event: TIpcEvent, origins: TAppOrigins): boolean {
  let frame: IpcMainInvokeEvent['senderFrame'];
  try {
    frame = event.senderFrame;
  } catch {
    return false; // the frame is gone (navigated or destroyed)
  }
  if (frame === null || frame === undefined) return false;
  if (frame.parent !== null) return false; // sub-frames never talk to main
  return isAppUrl(frame.url, origins);
}

/** Wraps `handler` with the sender check and the argument schema of `channel`. */
export function guardHandler<C extends TChannel>(
  channel: C,
  handler: (...args: TChannelArgs<C>) => Promise<unknown>,
  origins: TAppOrigins,
): (event: TIpcEvent, ...args: unknown[]) => Promise<unknown> {
  const schema = CHANNEL_ARGS[channel];
  return async (event, ...args) => {
    if (!isTrustedSender(event, origins)) throw new IpcRefusedError(`${channel} refused: the request does not come from the viewer`);
    const parsed = schema.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.length === 0 ? 'arguments' : `argument ${issue.path.join('.')}`}: ${issue.message}`);
      throw new IpcRefusedError(`${channel} refused: ${issues.slice(0, 3).join('; ')}`);
    }
    return handler(...(parsed.data as TChannelArgs<C>));
  };
}

/** Registers every channel's guarded handler on `ipcMain`. Returns a function that removes them. */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, handlers: TIpcHandlers, origins: TAppOrigins): () => void {
  const channels = Object.keys(CHANNELS) as TChannel[];
  for (const channel of channels) {
    const guarded = guardHandler(channel, handlers[channel] as (...args: TChannelArgs<typeof channel>) => Promise<unknown>, origins);
    ipcMain.handle(CHANNELS[channel], (event, ...args: unknown[]) => guarded(event, ...args));
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(CHANNELS[channel]);
  };
}
