import type { Readable } from 'node:stream';
import { Authenticator } from '../auth/authenticator.js';
import type { CredentialSource } from '../auth/credentials.js';
import { parseDistributionErrors } from '../errors/distribution-error.js';
import { RegistryError, type RegistryErrorContext } from '../errors/registry-error.js';
import { type RetryPolicy, backoffDelay, parseRetryAfter, sleep } from '../http/retry.js';
import { type HttpResponse, HttpTransport, type TransportOptions, discardBody, readBody } from '../http/transport.js';

/** One request to a registry endpoint, described relative to its base URL. */
export interface EndpointRequest {
  method: string;
  /** Path under the endpoint's base (`/v2/…`), or an absolute URL (upload locations). */
  path: string | URL;
  headers?: Record<string, string>;
  /** The body; a function is called again for each attempt. */
  body?: Uint8Array | (() => Readable);
  /** Token scopes the request needs (`repository:library/busybox:pull`). */
  scopes: string[];
  /** Statuses that count as success; anything else becomes a {@link RegistryError}. */
  expect: number[];
  context: Omit<RegistryErrorContext, 'registry'>;
  signal?: AbortSignal;
  /** Whether transient failures are retried (default true). */
  retry?: boolean;
}

/** Settings of a {@link RegistryEndpoint}. */
export interface EndpointOptions extends TransportOptions {
  /** The registry as references name it (`docker.io`); used in messages. */
  registry: string;
  /** Scheme, host and optional path prefix to reach it (`https://registry-1.docker.io`). */
  baseUrl: URL;
  /**
   * Insecure registries are tried over HTTPS first (without verifying the certificate)
   * and over plain HTTP when that fails, as docker does; the first answer fixes the scheme.
   */
  fallbackToHttp?: boolean;
  /** The host whose credentials apply. */
  credentialHost: string;
  credentials: CredentialSource | undefined;
  retry: RetryPolicy;
  userAgent: string;
}

const networkErrorCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/**
 * One way to reach a registry (its origin or a mirror): transport, authentication and
 * the request loop — authorise, send, re-authorise once on `401`, retry transient failures
 * with backoff (honouring `Retry-After`), and turn error responses into {@link RegistryError}s.
 */
export class RegistryEndpoint {
  readonly registry: string;
  readonly transport: HttpTransport;
  readonly auth: Authenticator;
  private base: URL;
  private probing: boolean;

  constructor(private readonly options: EndpointOptions) {
    this.registry = options.registry;
    this.base = new URL(options.baseUrl);
    this.probing = options.fallbackToHttp === true && this.base.protocol === 'https:';
    this.transport = new HttpTransport(options);
    this.auth = new Authenticator({
      registry: options.credentialHost,
      credentials: options.credentials,
      transport: this.transport,
      userAgent: options.userAgent,
    });
  }

  /** The base URL currently in use (its scheme may change once while probing an insecure registry). */
  get baseUrl(): URL {
    return this.base;
  }

  /** Resolves a path or upload location against the base URL. */
  url(path: string | URL): URL {
    if (path instanceof URL) return path;
    const prefix = this.base.pathname.replace(/\/$/, '');
    return new URL(`${prefix}${path}`, this.base);
  }

  /** Sends `request` until it succeeds, fails for good, or runs out of retries. */
  async request(request: EndpointRequest): Promise<HttpResponse> {
    const policy = this.options.retry;
    const scopes = [...request.scopes];
    let authRetries = 0;
    let attempt = 0;
    for (;;) {
      attempt++;
      request.signal?.throwIfAborted();
      const authorization = await this.auth.authorization(scopes, request.signal);
      const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, ...request.headers };
      if (authorization) headers.Authorization = authorization;
      let response: HttpResponse;
      const url = this.url(request.path);
      try {
        response = await this.transport.send({
          method: request.method,
          url,
          headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          ...(request.signal ? { signal: request.signal } : {}),
        });
      } catch (err) {
        if (isAbort(err, request.signal)) throw err;
        // An insecure registry that does not speak TLS: switch to plain HTTP once, and
        // resend requests that were in flight over HTTPS meanwhile.
        if (this.options.fallbackToHttp && url.protocol === 'https:' && !(request.path instanceof URL) && (this.probing || this.base.protocol === 'http:')) {
          if (this.probing) {
            this.probing = false;
            this.base = new URL(this.base);
            this.base.protocol = 'http:';
          }
          attempt--;
          continue;
        }
        const failure = this.networkError(err, request);
        if (request.retry !== false && failure.temporary && attempt < policy.attempts) {
          await sleep(backoffDelay(policy, attempt), request.signal);
          continue;
        }
        throw failure;
      }
      this.probing = false;
      if (response.status === 401 && authRetries < 2) {
        discardBody(response.body);
        if (await this.auth.handleUnauthorized(response.headers['www-authenticate'], scopes, authorization)) {
          authRetries++;
          attempt--;
          continue;
        }
        throw await this.responseError({ ...response, body: response.body }, request, true);
      }
      if (request.expect.includes(response.status)) return response;
      const failure = await this.responseError(response, request, false);
      if (request.retry !== false && failure.temporary && attempt < policy.attempts) {
        const delay = backoffDelay(policy, attempt, failure.retryAfterMs);
        if (failure.retryAfterMs === undefined || failure.retryAfterMs <= policy.maxRetryAfterMs) {
          await sleep(delay, request.signal);
          continue;
        }
      }
      throw failure;
    }
  }

  /** Builds the error for an unexpected response, reading a bounded amount of its body. */
  async responseError(response: HttpResponse, request: EndpointRequest, bodyConsumed: boolean): Promise<RegistryError> {
    let text = '';
    if (!bodyConsumed && request.method !== 'HEAD') {
      try {
        text = (await readBody(response.body, 64 * 1024)).toString('utf8');
      } catch {
        text = '';
      }
    } else if (!bodyConsumed) {
      discardBody(response.body);
    }
    const retryAfterHeader = response.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader);
    const errors = parseDistributionErrors(text);
    return new RegistryError({
      registry: this.registry,
      ...request.context,
      status: response.status,
      errors,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      description: response.status === 401 ? 'authentication required (no or wrong credentials)' : statusText(response.status, text),
    });
  }

  private networkError(err: unknown, request: EndpointRequest): RegistryError {
    const code = (err as { code?: string }).code;
    const tls = typeof code === 'string' && (/^ERR_(TLS|SSL)/.test(code) || /CERT|VERIFY|SELF_SIGNED/.test(code) || code === 'EPROTO');
    const certificate = typeof code === 'string' && /CERT|VERIFY|SELF_SIGNED|ALTNAME/.test(code);
    return new RegistryError({
      registry: this.registry,
      ...request.context,
      cause: err,
      description: `${tls ? 'TLS' : 'connection'} error reaching ${this.base.host}: ${(err as Error).message}${
        certificate ? ' (trust its CA with the `ca` option of the registry host, or name the registry insecure)' : ''
      }`,
      temporary: !tls && (code === undefined || networkErrorCodes.has(code)),
    });
  }

  /** Releases sockets. */
  close(): void {
    this.transport.close();
  }
}

function statusText(status: number, body: string): string {
  const snippet = body.trim().slice(0, 200);
  return snippet && !snippet.startsWith('<') ? `HTTP ${status}: ${snippet}` : `unexpected HTTP status ${status}`;
}

/** Whether `err` is the abort of `signal` (or any `AbortError`). */
export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && err === signal.reason) return true;
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}
