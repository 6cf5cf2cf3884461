/**
 * Request bodies as text, refusing bytes that are not UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is
 * UTF-8), numbers too small to be represented (`underflowingNumber`), and objects that name a member twice
 * (`duplicateMemberRefusal`). Decoding with replacement, as Node's string decoding does, would store `a\xffb` as `a\uFFFDb` and log
 * two different inputs (`a\xffb`, `a\xe2\x82b`) as one value: an audit log keeps what was sent or refuses it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FastifyBaseLogger, FastifyInstance, FastifyTypeProvider, RawServerDefault } from 'fastify';

import { findDuplicateMemberName } from '@custody/schema';

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

/** A JSON number literal (RFC 8259 §6), matched where a value starts. */
const NUMBER_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** What a literal that reads as 0 though it is not must hold: an exponent below -99, or 300 zeros after a point. */
const MAYBE_UNDERFLOW = /[eE]-\d{3}|\.0{300}/;

/**
 * The first number literal of the JSON `text` (outside its strings) that is not zero but reads as 0 (`1e-400`), or
 * `undefined`. JSON.parse keeps no trace of it, so the event would be logged with 0 where the sender wrote another
 * number; an overflow (`1e400`) reads as Infinity, which the event schema refuses by itself. A quick test first: the
 * walk runs only on bodies that may hold one.
 */
export function underflowingNumber(text: string): string | undefined {
  if (!MAYBE_UNDERFLOW.test(text)) return undefined;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: to its closing quote, over escapes.
      i++;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        i += d === 0x5c ? 2 : 1;
        if (d === 0x22) break;
      }
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER_LITERAL.lastIndex = i;
      const literal = NUMBER_LITERAL.exec(text)?.[0];
      if (literal === undefined) {
        i++;
        continue;
      }
      if (Number(literal) === 0 && /[1-9]/.test(literal.split(/[eE]/)[0] ?? '')) return literal;
      i += literal.length;
      continue;
    }
    i++;
  }
  return undefined;
}

/**
 * Why the JSON `text` (a request's body, or a tRPC query's `input`) is refused for an object that names one member
 * twice, or `undefined`. I-JSON forbids it (RFC 7493 §2.3): `JSON.parse` keeps the last value, other readers the
 * first or both, so the sender and the log could disagree on what was sent. The whole body is refused, a batch too:
 * which of its values the sender meant is not known. Text that is not JSON is left to the parser after this, which
 * says what is wrong with it.
 */
export function duplicateMemberRefusal(text: string, what: 'body' | 'input' = 'body'): string | undefined {
  const found = findDuplicateMemberName(text);
  if (found === undefined) return undefined;
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  const before = text.slice(0, found.offset);
  const line = before.split('\n').length;
  const column = found.offset - before.lastIndexOf('\n');
  const where = found.pointer === '' ? 'the top-level object' : `the object at ${found.pointer}`;
  return `${where} names the member ${JSON.stringify(found.name)} twice (line ${line}, column ${column}): JSON readers differ on which value counts, so the ${what} is refused (I-JSON, RFC 7493 §2.3)`;
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
        const tiny = underflowingNumber(text);
        if (tiny !== undefined) {
          const shown = tiny.length > 40 ? `${tiny.slice(0, 40)}…` : tiny;
          throw badRequest(`the number ${shown} is too small to be represented: it would be read, and logged, as 0; send it as a string`, false);
        }
        const duplicate = duplicateMemberRefusal(text);
        if (duplicate !== undefined) throw badRequest(duplicate, false);
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

/**
 * Makes `scope` read `application/x-www-form-urlencoded` bodies (what an HTML form posts) as their fields, each
 * named at most once, and only the names in `fields`: anything else is a 400 that names it, so a mistyped field
 * is never ignored. Values are percent-decoded as UTF-8 (the URL standard's form decoding).
 */
export function readFormBodies<L extends FastifyBaseLogger, P extends FastifyTypeProvider>(
  scope: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L, P>,
  fields: readonly string[],
): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      const form = new URLSearchParams(strictUtf8(body as Buffer));
      const values: Record<string, string> = {};
      for (const [name, value] of form) {
        const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
        if (!fields.includes(name)) throw badRequest(`the form field ${shown} is not known here (fields: ${fields.join(', ')})`, false);
        if (Object.hasOwn(values, name)) throw badRequest(`the form names the field ${shown} twice`, false);
        values[name] = value;
      }
      return done(null, values);
    } catch (error) {
      return done(error as Error);
    }
  });
}
