/**
 * Request bodies as text, refusing bytes that are not UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is
 * UTF-8). Decoding with replacement, as Node's string decoding does, would store `a\xffb` as `a\uFFFDb` and log
 * two different inputs (`a\xffb`, `a\xe2\x82b`) as one value: an audit log keeps what was sent or refuses it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FastifyBaseLogger, FastifyInstance, FastifyTypeProvider, RawServerDefault } from 'fastify';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A 400 with `message` (fastify's error handler, and ours, read `statusCode`). */
function badRequest(message: string, syntax: boolean): Error & { statusCode: number } {
  return Object.assign(syntax ? new SyntaxError(message) : new Error(message), { statusCode: 400 });
}

/** `body` as text; a 400 `SyntaxError` if it is not UTF-8. A leading byte order mark is dropped. */
function strictUtf8(body: Buffer): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw badRequest('the request body is not valid UTF-8', true);
  }
}

/**
 * Makes `scope` read the bodies of `types` as strict UTF-8 text (`'*'`: every type): handed on as the text,
 * or, with `json`, parsed (an empty body or bad JSON is a 400, as with fastify's own parser).
 */
export function readBodiesAsUtf8<L extends FastifyBaseLogger, P extends FastifyTypeProvider>(
  scope: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L, P>,
  types: readonly string[],
  json: boolean,
): void {
  for (const type of types) {
    scope.addContentTypeParser(type, { parseAs: 'buffer' }, (_req, body, done) => {
      let text: string;
      try {
        text = strictUtf8(body as Buffer);
        if (!json) return done(null, text);
      } catch (error) {
        return done(error as Error);
      }
      if (text.length === 0) return done(badRequest("Body cannot be empty when content-type is set to 'application/json'", false));
      try {
        return done(null, JSON.parse(text) as unknown);
      } catch (error) {
        return done(badRequest(error instanceof Error ? error.message : 'the request body is not JSON', true));
      }
    });
  }
}
