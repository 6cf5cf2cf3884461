/** A short, human message for anything thrown (IPC errors arrive as "Error invoking remote method …: Error: msg"). */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Error invoking remote method '[^']+': (?:[A-Za-z]*Error: )?/, '');
}
