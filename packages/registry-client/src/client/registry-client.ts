import { InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';
import type { CredentialSource } from '../auth/credentials.js';
import { asBerthError } from '../errors/to-berth-error.js';
import { type RetryOptions, type RetryPolicy, retryPolicy } from '../http/retry.js';
import { discardBody, readBody } from '../http/transport.js';
import { RegistryEndpoint } from './endpoint.js';
import { nextPageLink } from './pagination.js';
import { type CallOptions, type ListOptions, type RemoteRepository, RemoteRepositoryImpl } from './remote-repository.js';

/** TLS and trust settings of one registry host. */
export interface RegistryHostOptions {
  /** CA certificates (PEM) that sign the registry's certificate. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /**
   * Plain HTTP allowed and certificates not verified (docker's `insecure-registries`).
   * Defaults to `true` for `localhost`, `127.0.0.0/8` and `::1`, `false` elsewhere; set
   * `false` to verify a local registry's certificate.
   */
  insecure?: boolean;
  /**
   * Where the registry really is, as a base URL (`http://127.0.0.1:5000`), when it is not
   * at `https://<host>` — containerd's `server` in `hosts.toml`. For `docker.io` the default
   * is `https://registry-1.docker.io`.
   */
  endpoint?: string;
}

/** Settings of a {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** Where credentials come from (see `dockerConfigCredentials`, `staticCredentials`); anonymous if absent. */
  credentials?: CredentialSource;
  /** Registries (`host[:port]`) reachable over plain HTTP or with unverified certificates. */
  insecureRegistries?: string[];
  /** Per-host TLS settings, keyed by `host[:port]` as references name the registry. */
  hosts?: Record<string, RegistryHostOptions>;
  /** Extra CA certificates trusted for every registry. */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * Mirrors of `docker.io` (base URLs like `https://mirror.example.com`), tried in order
   * before Docker Hub itself for reads, as dockerd's `registry-mirrors`.
   */
  mirrors?: string[];
  retry?: RetryOptions;
  /** `User-Agent` of every request. */
  userAgent?: string;
  /** Idle socket timeout in ms (default 60 s). */
  idleTimeoutMs?: number;
}

/**
 * A client of OCI distribution registries. It keeps keep-alive connections, learned
 * authentication and tokens per registry; create one per process (or per set of
 * credentials) and `close()` it when done.
 */
export interface RegistryClient {
  /** A repository (`library/busybox`) on a registry (`docker.io`, `localhost:5000`). */
  repository(registry: string, name: string): RemoteRepository;
  /** Checks that the registry speaks the distribution API (`GET /v2/`) and that the credentials are accepted. */
  ping(registry: string, options?: CallOptions): Promise<void>;
  /** The registry's repositories (`GET /v2/_catalog`), page after page. */
  catalog(registry: string, options?: ListOptions): AsyncIterable<string>;
  /** Releases all connections. */
  close(): void;
}

/** The host Docker Hub's API answers on; references say `docker.io`. */
export const dockerHubHost = 'registry-1.docker.io';

const catalogSchema = z.looseObject({ repositories: z.array(z.string()).nullish() });

/** Whether `registry` (`host[:port]`) is on the loopback, which docker treats as insecure. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0]!;
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Creates a {@link RegistryClient}. */
export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClientImpl(options);
}

/** The implementation of {@link RegistryClient}; pull and push use its endpoints directly. */
export class RegistryClientImpl implements RegistryClient {
  private readonly origins = new Map<string, RegistryEndpoint>();
  private readonly mirrorEndpoints: RegistryEndpoint[];
  private readonly userAgent: string;
  /** How requests and blob transfers are retried. */
  readonly retryPolicy: RetryPolicy;

  constructor(private readonly options: RegistryClientOptions) {
    this.userAgent = options.userAgent ?? 'berth/0.1';
    this.retryPolicy = retryPolicy(options.retry);
    this.mirrorEndpoints = (options.mirrors ?? []).map((mirror) => {
      let url: URL;
      try {
        url = new URL(mirror.includes('://') ? mirror : `https://${mirror}`);
      } catch {
        throw new InvalidArgumentError(`invalid registry mirror "${mirror}": expected a URL like https://mirror.example.com`);
      }
      return this.makeEndpoint(url.host, url, 'docker.io (mirror ' + url.host + ')');
    });
  }

  /** The origin endpoint of `registry`. */
  origin(registry: string): RegistryEndpoint {
    let endpoint = this.origins.get(registry);
    if (!endpoint) {
      const configured = this.options.hosts?.[registry]?.endpoint;
      const host = registry === 'docker.io' ? dockerHubHost : registry;
      let base: URL;
      try {
        base = new URL(configured ?? `https://${host}`);
      } catch {
        throw new InvalidArgumentError(`invalid endpoint "${configured}" for registry ${registry}: expected a URL like https://registry.example.com`);
      }
      endpoint = this.makeEndpoint(registry, base, registry);
      this.origins.set(registry, endpoint);
    }
    return endpoint;
  }

  private makeEndpoint(hostKey: string, baseUrl: URL, displayName: string): RegistryEndpoint {
    const host = this.options.hosts?.[hostKey] ?? {};
    const insecure = host.insecure ?? ((this.options.insecureRegistries ?? []).includes(hostKey) || isLoopbackRegistry(hostKey));
    const ca = [
      ...(this.options.ca === undefined ? [] : Array.isArray(this.options.ca) ? this.options.ca : [this.options.ca]),
      ...(host.ca === undefined ? [] : Array.isArray(host.ca) ? host.ca : [host.ca]),
    ];
    return new RegistryEndpoint({
      registry: displayName,
      baseUrl,
      fallbackToHttp: insecure && baseUrl.protocol === 'https:',
      skipTlsVerify: insecure,
      ...(ca.length > 0 ? { ca } : {}),
      ...(host.cert === undefined ? {} : { cert: host.cert }),
      ...(host.key === undefined ? {} : { key: host.key }),
      ...(this.options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: this.options.idleTimeoutMs }),
      credentialHost: hostKey,
      credentials: this.options.credentials,
      retry: this.retryPolicy,
      userAgent: this.userAgent,
    });
  }

  repository(registry: string, name: string): RemoteRepositoryImpl {
    if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(name)) {
      throw new InvalidArgumentError(`invalid repository name "${name}" on registry ${registry}`);
    }
    const origin = this.origin(registry);
    const read = registry === 'docker.io' ? [...this.mirrorEndpoints, origin] : [origin];
    return new RemoteRepositoryImpl(registry, name, { read, write: origin });
  }

  async ping(registry: string, options: CallOptions = {}): Promise<void> {
    try {
      const response = await this.origin(registry).request({
        method: 'GET',
        path: '/v2/',
        scopes: [],
        expect: [200],
        context: { operation: 'checking the registry API (/v2/)' },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      discardBody(response.body);
    } catch (err) {
      throw asBerthError(err, `registry ${registry}: ping`);
    }
  }

  async *catalog(registry: string, options: ListOptions = {}): AsyncIterable<string> {
    const query = new URLSearchParams();
    if (options.pageSize) query.set('n', String(options.pageSize));
    if (options.last) query.set('last', options.last);
    const qs = query.toString();
    let path: string | undefined = `/v2/_catalog${qs ? `?${qs}` : ''}`;
    const endpoint = this.origin(registry);
    while (path) {
      let page: { repositories: string[]; next: string | undefined };
      try {
        const response = await endpoint.request({
          method: 'GET',
          path: path.startsWith('http') ? new URL(path) : path,
          headers: { Accept: 'application/json' },
          scopes: ['registry:catalog:*'],
          expect: [200],
          context: { operation: 'listing the catalog' },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const text = (await readBody(response.body, 16 << 20)).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const parsed = catalogSchema.safeParse(json);
        if (!parsed.success) throw new InvalidArgumentError(`registry ${registry}: malformed catalog response`);
        page = { repositories: parsed.data.repositories ?? [], next: nextPageLink(response.headers.link) };
      } catch (err) {
        throw asBerthError(err, `registry ${registry}: catalog`);
      }
      yield* page.repositories;
      path = page.next;
    }
  }

  close(): void {
    for (const endpoint of this.origins.values()) endpoint.close();
    for (const endpoint of this.mirrorEndpoints) endpoint.close();
    this.origins.clear();
  }
}
