/**
 * Answers to requests Node's HTTP parser refuses before fastify sees a request (fastify's `clientErrorHandler`):
 * a header with a control character, a space in the URL, headers over Node's 16 KiB, a request that takes too long
 * to arrive. fastify's default answers `{"message":"Client Error"}`; these say what was wrong, in the API's own
 * body (`{ code, message }`), and close the connection, as Node must: the rest of the bytes cannot be read as HTTP.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

import type { FastifyBaseLogger } from 'fastify';

/** An error Node's HTTP server hands to `clientError`: llhttp's code (`HPE_…`) and its reason, or a timeout. */
export interface TClientError extends Error {
  readonly code?: string;
  readonly reason?: string;
}

/** The status and message for a request Node refused: see the module comment. */
export function clientErrorAnswer(error: TClientError): { status: number; message: string } {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, message: 'the request did not arrive within the time limit (its headers, or the whole request); send it again on a new connection' };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, message: "the request's headers, its URL included, are over 16 KiB" };
  }
  const reason = typeof error.reason === 'string' && error.reason.length > 0 ? error.reason : 'malformed request';
  return { status: 400, message: `the request is not valid HTTP/1.1: ${reason}${error.code === undefined ? '' : ` (${error.code})`}` };
}

/** fastify's `clientErrorHandler`: writes `clientErrorAnswer`'s answer, if the socket can still take it, and closes it. */
export function answerClientError(this: { log: FastifyBaseLogger }, error: TClientError, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = clientErrorAnswer(error);
  this.log.debug({ code: error.code, reason: error.reason, status }, 'refused a request that is not valid HTTP');
  if (socket.writable) {
    const body = JSON.stringify({ code: 'BAD_REQUEST', message });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
