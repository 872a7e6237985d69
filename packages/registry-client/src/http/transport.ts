import * as http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import * as https from 'node:https';
import { type Readable, pipeline } from 'node:stream';
import { rootCertificates } from 'node:tls';

/** TLS and connection settings of one registry endpoint. */
export interface TransportOptions {
  /** Extra CA certificates (PEM) trusted for HTTPS, in addition to the system ones. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Accept any server certificate (insecure registries, as docker's `insecure-registries`). */
  skipTlsVerify?: boolean;
  /** Client certificate and key (PEM) for registries that require mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Idle socket timeout in ms before a stalled request fails (default 60 s). */
  idleTimeoutMs?: number;
  /** Maximum concurrent sockets per host (default 16). */
  maxSockets?: number;
}

/** One HTTP request. A body that is a function can be re-created for a retry. */
export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Uint8Array | (() => Readable);
  signal?: AbortSignal;
}

/** A response whose body has not been read yet. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** The URL that answered (after redirects). */
  url: URL;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Keep-alive HTTP(S) agents for one endpoint and a `send` that follows redirects (blob
 * downloads are often redirected to a CDN; credentials are never sent to another host).
 * Lifecycle: create per endpoint, `close()` when the client is closed.
 */
export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly idleTimeoutMs: number;

  constructor(options: TransportOptions = {}) {
    const maxSockets = options.maxSockets ?? 16;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets,
      ...(options.ca === undefined ? {} : { ca: withSystemRoots(options.ca) }),
      ...(options.cert === undefined ? {} : { cert: options.cert }),
      ...(options.key === undefined ? {} : { key: options.key }),
      rejectUnauthorized: !options.skipTlsVerify,
    });
  }

  /** Sends `request`, following up to 5 redirects of GET and HEAD requests. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    let current = request;
    for (let hops = 0; ; hops++) {
      const response = await this.sendOnce(current);
      const location = response.headers.location;
      const method = current.method.toUpperCase();
      if (!redirectStatuses.has(response.status) || !location || (method !== 'GET' && method !== 'HEAD') || hops >= 5) {
        return response;
      }
      response.body.resume();
      const next = new URL(location, current.url);
      const headers = { ...current.headers };
      if (next.host !== current.url.host) delete headers.Authorization;
      current = { ...current, url: next, headers };
    }
  }

  private sendOnce(request: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const isHttps = request.url.protocol === 'https:';
      const client = isHttps ? https : http;
      const req = client.request(request.url, {
        method: request.method,
        headers: request.headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      req.setTimeout(this.idleTimeoutMs, () => {
        req.destroy(Object.assign(new Error(`no data from ${request.url.host} for ${this.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
      });
      req.once('error', reject);
      req.once('response', (res) => {
        // Errors after this point surface on the body stream.
        req.off('error', reject);
        req.on('error', (err) => {
          if (!res.destroyed) res.destroy(err);
        });
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: request.url });
      });
      const body = request.body;
      if (body === undefined) req.end();
      else if (body instanceof Uint8Array) req.end(body);
      else {
        pipeline(body(), req, (err) => {
          if (err) req.destroy(err);
        });
      }
    });
  }

  /** Destroys idle sockets and stops keeping new ones alive. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Node replaces its default roots when `ca` is given; keep them so public registries still verify. */
function withSystemRoots(ca: string | Buffer | Array<string | Buffer>): Array<string | Buffer> {
  return [...rootCertificates, ...(Array.isArray(ca) ? ca : [ca])];
}

/** Reads a (small) response body whole, refusing more than `maxBytes`. */
export async function readBody(body: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.byteLength;
    if (total > maxBytes) {
      body.destroy();
      throw new RangeError(`response body exceeds ${maxBytes} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Reads and discards a body so the socket returns to the keep-alive pool. */
export function discardBody(body: Readable): void {
  body.on('error', () => {});
  body.resume();
}
