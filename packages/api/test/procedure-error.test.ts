/**
 * `procedureError`: a domain error becomes the tRPC error its code maps to; what went wrong underneath a
 * retryable failure is logged for the operator and never put in the answer.
 */
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';

import { AppError } from '@custody/core';

import { procedureError } from '../src/index';
import type { TContext } from '../src/index';

function capture(): { ctx: TContext; lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  const logger = { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
  return { ctx: { logger, requestId: 'req_1' } as unknown as TContext, lines };
}

describe('procedureError', () => {
  it("logs the cause of a retryable failure, and answers with the domain message alone", () => {
    const { ctx, lines } = capture();
    const cause = new Error('SQLITE_FULL: database or disk is full');
    const mapped = procedureError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new AppError('UNAVAILABLE', 'the events could not be committed; nothing was stored, retry', { cause }) }), ctx, 'events.create');
    expect(mapped.code).toBe('SERVICE_UNAVAILABLE');
    expect(mapped.message).toBe('the events could not be committed; nothing was stored, retry');
    expect(lines).toEqual([{ level: 'error', fields: { err: cause, path: 'events.create', requestId: 'req_1' }, message: 'the events could not be committed; nothing was stored, retry' }]);
  });

  it('logs nothing for a client error or a failure without a cause', () => {
    const { ctx, lines } = capture();
    procedureError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new AppError('NOT_FOUND', 'organization "x" not found') }), ctx, 'events.list');
    procedureError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new AppError('UNAVAILABLE', 'the server is shutting down') }), ctx, 'events.create');
    expect(lines).toEqual([]);
  });
});
