/**
 * The load generator's HTTP/1.1 client: one keep-alive TCP connection per simulated client, each request
 * written as one buffer behind a head built once, each response read by its status line and `Content-Length`.
 *
 * Why not node:http: the load generator shares the server's two cores, and node:http's client (request
 * object, header objects, stream events) cost about 110–130 µs per single-event request here, a seventh of
 * the CPU the whole machine has per event at 2,000 events/s. That is CPU taken from the server being
 * measured. This client does only what a benchmark needs and still checks every answer: a status other than
 * 2xx, a malformed or chunked response, a closed connection or a socket error rejects the request with the
 * reason, so a failing server can never look fast.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface TRawResponse {
  status: number;
  body: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** A keep-alive connection that sends one request at a time. */
export class RawHttpConnection {
  readonly #socket: Socket;
  readonly #ready: Promise<void>;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { resolve: (r: TRawResponse) => void; reject: (e: Error) => void } | null = null;
  #closed: Error | null = null;

  constructor(url: string) {
    const target = new URL(url);
    this.#socket = connect({ host: target.hostname, port: Number(target.port || 80), noDelay: true });
    this.#ready = new Promise((resolve, reject) => {
      this.#socket.once('connect', () => resolve());
      this.#socket.once('error', reject);
    });
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('error', (error) => this.#fail(error));
    this.#socket.on('close', () => this.#fail(new Error('the server closed the connection')));
  }

  /** Sends a request's bytes (see {@link postBuilder}) and resolves with the response. */
  async request(bytes: Buffer): Promise<TRawResponse> {
    await this.#ready;
    if (this.#closed !== null) throw this.#closed;
    if (this.#pending !== null) throw new Error('one request at a time per connection');
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#socket.write(bytes);
    });
  }

  close(): void {
    this.#closed ??= new Error('closed');
    this.#socket.destroy();
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(error);
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const end = this.#buffer.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.#buffer.toString('latin1', 0, end);
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
    if (status === null) return this.#fail(new Error(`not an HTTP/1.1 response: ${JSON.stringify(head.slice(0, 80))}`));
    if (/\r\ntransfer-encoding:/i.test(head)) return this.#fail(new Error('chunked responses are not supported by the bench client'));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length === null) return this.#fail(new Error('response without content-length'));
    const total = end + 4 + Number(length[1]);
    if (this.#buffer.length < total) return;
    const body = this.#buffer.subarray(end + 4, total);
    this.#buffer = this.#buffer.subarray(total);
    const pending = this.#pending;
    this.#pending = null;
    if (pending === null) return this.#fail(new Error('a response arrived with no request waiting'));
    pending.resolve({ status: Number(status[1]), body });
  }
}

/**
 * A builder of JSON POSTs to `path` on `url` with a bearer key: the head is built once, so each request costs a
 * content length and one copy of its body.
 */
export function postBuilder(url: string, path: string, key: string): (body: string) => Buffer {
  const head = `POST ${path} HTTP/1.1\r\nhost: ${new URL(url).host}\r\ncontent-type: application/json\r\nauthorization: Bearer ${key}\r\nconnection: keep-alive\r\ncontent-length: `;
  return (body) => {
    const data = Buffer.from(body);
    return Buffer.concat([Buffer.from(`${head}${data.length}\r\n\r\n`, 'latin1'), data]);
  };
}
