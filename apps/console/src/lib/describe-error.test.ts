import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';

import { describeError } from './describe-error';

/** A refusal as the server sends it: the message, and the issue paths in `appError.details`. */
function refusal(message: string, path: string): TRPCClientError<never> {
  return TRPCClientError.from<never>({
    error: {
      code: -32600,
      message,
      data: { code: 'BAD_REQUEST', httpStatus: 400, appError: { code: 'BAD_REQUEST', details: { issues: [{ path, code: 'invalid_input', message }] } } },
    },
  });
}

describe('describeError', () => {
  const labels = { 'filter.ip': 'IP address or CIDR block', 'dat.field': 'Field separator', firstControlNumber: 'First control number' };

  it('names a field as the screen does, in a check’s message and in the input schema’s', () => {
    expect(describeError(refusal('ip: invalid CIDR block "10.0.0.5/24"', 'filter.ip'), { labels }).message).toBe('IP address or CIDR block: invalid CIDR block "10.0.0.5/24"');
    expect(describeError(refusal('invalid input: dat.field: Too big: expected string to have exactly 1 characters', 'dat.field'), { labels }).message).toBe(
      'Field separator: Too big: expected string to have exactly 1 characters',
    );
    expect(describeError(refusal('invalid input: firstControlNumber: Too small: expected number to be >=0', 'firstControlNumber'), { labels }).message).toBe(
      'First control number: Too small: expected number to be >=0',
    );
  });

  it('leaves a message naming no labelled field as it is', () => {
    expect(describeError(refusal('invalid input: reason: Too big', 'reason'), { labels }).message).toBe('Invalid input: reason: Too big');
    expect(describeError(refusal('invalid input: dat.field: Too big', 'dat.field')).message).toBe('Invalid input: dat.field: Too big');
  });
});
