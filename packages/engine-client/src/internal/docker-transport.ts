import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { MAX_API_VERSION, negotiateApiVersion } from '@berth/docker-api';
import { InternalError, UnavailableError } from '@berth/errdefs';
import type { z } from 'zod';
import type { DockerEndpoint } from '../docker-host.js';
import { errorFromStatus, errorMessageOf } from '../http-errors.js';

type QueryValue = string | number | boolean | undefined | readonly string[];

/** One Docker API call. `path` has no version prefix; the transport adds the negotiated one. */
export interface DockerRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (a tar), streamed. */
  body?: Readable;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/** A hijacked connection (`Upgrade: tcp`): the raw socket and the bytes read past the headers. */
export interface HijackedConnection {
  socket: Socket;
  head: Buffer;
}

/**
 * HTTP to one Docker daemon: versioned paths after negotiation, error replies as
 * `@berth/errdefs` errors, aborts that destroy the request and its socket, and hijacking for
 * attach and exec. Lifecycle: lazy (the first call pings); `close()` destroys idle and active
 * connections and fails later calls.
 */
export class DockerTransport {
  readonly #endpoint: DockerEndpoint;
  readonly #agent: http.Agent;
  readonly #fixedVersion: string | undefined;
  readonly #closed = new AbortController();
  /** Hijacked connections live outside the agent: `close()` ends them too. */
  readonly #hijacked = new Set<Socket>();
  #version: Promise<string> | undefined;

  constructor(endpoint: DockerEndpoint, options: { apiVersion?: string | undefined; signal?: AbortSignal | undefined } = {}) {
    this.#endpoint = endpoint;
    this.#fixedVersion = options.apiVersion;
    this.#agent = this.#makeAgent(true);
    options.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  /** The API version requests use: the fixed one, else min(ours, the daemon's `Api-Version`). */
  apiVersion(): Promise<string> {
    if (this.#fixedVersion !== undefined) return Promise.resolve(this.#fixedVersion);
    this.#version ??= this.#negotiate();
    return this.#version;
  }

  /** Sends a request; resolves with the response once its headers arrive. Error statuses reject. */
  async send(request: DockerRequest): Promise<http.IncomingMessage> {
    const version = await this.apiVersion();
    return this.#send(request, `/v${version}${request.path}`);
  }

  /** Sends a request and parses the JSON reply with `schema`. */
  async json<T>(request: DockerRequest, schema: z.ZodType<T>): Promise<T> {
    const response = await this.send(request);
    const text = await this.#readBody(response, request);
    let value: unknown;
    try {
      value = text.trim() === '' ? null : JSON.parse(text);
    } catch (cause) {
      throw new InternalError(`invalid JSON from the daemon on ${request.method} ${request.path}`, { cause });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new InternalError(`unexpected reply from the daemon on ${request.method} ${request.path}: ${parsed.error.message}`, { cause: parsed.error });
    }
    return parsed.data;
  }

  /** Sends a request whose reply body does not matter (204, 304, …); resolves when it is read. */
  async empty(request: DockerRequest): Promise<void> {
    const response = await this.send(request);
    await this.#readBody(response, request);
  }

  /** Reads a reply body; an abort while it arrives (a long wait) rejects with the abort's reason. */
  async #readBody(response: http.IncomingMessage, request: DockerRequest): Promise<string> {
    try {
      return await readText(response);
    } catch (err) {
      const signal = this.#signalFor(request.signal);
      if (signal.aborted) throw signal.reason;
      throw this.#transportError(err as Error);
    }
  }

  /**
   * Sends a request with `Connection: Upgrade` / `Upgrade: tcp` on a connection of its own and
   * resolves with the socket after dockerd's `101 UPGRADED`. An error reply rejects; a `200`
   * without upgrade (old daemons) yields the response body as the read side.
   */
  async hijack(request: DockerRequest): Promise<HijackedConnection> {
    const version = await this.apiVersion();
    const signal = this.#signalFor(request.signal);
    const payload = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
    return new Promise<HijackedConnection>((resolve, reject) => {
      const req = this.#request(request, `/v${version}${request.path}`, {
        agent: this.#makeAgent(false),
        headers: { Connection: 'Upgrade', Upgrade: 'tcp', ...this.#headers(request, payload) },
      });
      const onAbort = () => {
        req.destroy();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('upgrade', (_response, socket: Socket, head: Buffer) => {
        signal.removeEventListener('abort', onAbort);
        this.#hijacked.add(socket);
        socket.once('close', () => this.#hijacked.delete(socket));
        // Nobody may read the output (a stdin-only attach): a reset or EPIPE must not crash the
        // process. Readers still see the error through iteration, writers through their callback.
        socket.on('error', () => undefined);
        resolve({ socket, head });
      });
      req.on('response', (response) => {
        signal.removeEventListener('abort', onAbort);
        if ((response.statusCode ?? 500) >= 400) {
          rejectWithReply(response, reject);
          return;
        }
        (response.socket as Socket).on('error', () => undefined);
        resolve({ socket: response.socket as Socket, head: Buffer.alloc(0) });
      });
      req.on('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? signal.reason : this.#transportError(err));
      });
      req.end(payload);
    });
  }

  /** Destroys every connection; later calls reject with `Unavailable`. */
  async close(): Promise<void> {
    this.#closed.abort(new UnavailableError('the engine client is closed'));
    this.#agent.destroy();
    for (const socket of this.#hijacked) socket.destroy();
  }

  async #negotiate(): Promise<string> {
    const response = await this.#send({ method: 'GET', path: '/_ping' }, '/_ping');
    await readText(response);
    const header = response.headers['api-version'];
    return negotiateApiVersion(Array.isArray(header) ? header[0] : header, MAX_API_VERSION);
  }

  #send(request: DockerRequest, path: string): Promise<http.IncomingMessage> {
    const signal = this.#signalFor(request.signal);
    if (signal.aborted) return Promise.reject(signal.reason);
    const payload = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
    return new Promise((resolve, reject) => {
      const req = this.#request(request, path, { agent: this.#agent, headers: this.#headers(request, payload) });
      const onAbort = () => {
        // Destroying the request destroys its socket: the daemon sees the client go away.
        req.destroy(signal.reason instanceof Error ? signal.reason : undefined);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('response', (response) => {
        response.on('close', () => signal.removeEventListener('abort', onAbort));
        if ((response.statusCode ?? 500) >= 400) {
          signal.removeEventListener('abort', onAbort);
          rejectWithReply(response, reject);
          return;
        }
        resolve(response);
      });
      req.on('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? signal.reason : this.#transportError(err));
      });
      if (request.body) {
        request.body.on('error', (err) => req.destroy(err));
        request.body.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  #request(request: DockerRequest, path: string, extra: { agent: http.Agent; headers: Record<string, string> }): http.ClientRequest {
    const endpoint = this.#endpoint;
    const options: https.RequestOptions = {
      method: request.method,
      path: path + queryString(request.query),
      headers: extra.headers,
      agent: extra.agent,
    };
    if (endpoint.kind === 'unix') {
      options.socketPath = endpoint.socketPath;
      options.host = 'docker';
      return http.request(options);
    }
    options.host = endpoint.host;
    options.port = endpoint.port;
    return endpoint.tls ? https.request(options) : http.request(options);
  }

  #headers(request: DockerRequest, payload: Buffer | undefined): Record<string, string> {
    const headers: Record<string, string> = { ...request.headers };
    if (payload !== undefined) {
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    } else if (request.body) {
      headers['Content-Type'] = request.contentType ?? 'application/x-tar';
    }
    return headers;
  }

  #makeAgent(keepAlive: boolean): http.Agent {
    const endpoint = this.#endpoint;
    if (endpoint.kind === 'tcp' && endpoint.tls) {
      const tls = endpoint.tls;
      return new https.Agent({
        keepAlive,
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls.key !== undefined ? { key: tls.key } : {}),
        rejectUnauthorized: tls.verify ?? true,
      });
    }
    return new http.Agent({ keepAlive });
  }

  #signalFor(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.#closed.signal]) : this.#closed.signal;
  }

  #transportError(err: Error): Error {
    const where = this.#endpoint.kind === 'unix' ? `unix://${this.#endpoint.socketPath}` : `tcp://${this.#endpoint.host}:${this.#endpoint.port}`;
    return new UnavailableError(`Cannot connect to the Docker daemon at ${where}: ${err.message}`, { cause: err });
  }
}

function rejectWithReply(response: http.IncomingMessage, reject: (err: unknown) => void): void {
  const status = response.statusCode ?? 500;
  readText(response).then(
    (body) => reject(errorFromStatus(status, errorMessageOf(body, status, response.statusMessage))),
    (cause: unknown) => reject(errorFromStatus(status, `${status} ${response.statusMessage ?? ''}`.trim(), { cause })),
  );
}

/** Reads a (small) reply body as text. Only for JSON and error replies; streams stay streams. */
export async function readText(response: Readable): Promise<string> {
  let text = '';
  response.setEncoding('utf8');
  for await (const chunk of response) text += chunk as string;
  return text;
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) params.append(key, item);
    else if (typeof value === 'boolean') params.append(key, value ? '1' : '0');
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
