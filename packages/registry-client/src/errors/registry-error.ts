import type { DistributionError } from '@berth/spec';

/** What a {@link RegistryError} is about: the registry, and where known the repository and reference. */
export interface RegistryErrorContext {
  /** The registry as named in references (`docker.io`, `localhost:5000`). */
  registry: string;
  repository?: string;
  /** The tag or digest the request was about. */
  reference?: string;
  /** What was being done, in words (`fetching manifest`, `uploading blob`). */
  operation?: string;
}

/** Construction parameters of a {@link RegistryError}. */
export interface RegistryErrorInit extends RegistryErrorContext {
  /** HTTP status, or `undefined` for errors without a response (network, TLS). */
  status?: number;
  errors?: DistributionError[];
  /** Milliseconds the registry asked us to wait (`Retry-After`). */
  retryAfterMs?: number;
  /** Whether retrying the same request may succeed; defaults from the status and codes. */
  temporary?: boolean;
  /** A short description when the registry sent no error codes. */
  description?: string;
  cause?: unknown;
}

/**
 * A failed exchange with a registry: its HTTP status, the distribution error codes the
 * registry returned, and whether a retry may help (`temporary`: network errors, 5xx, 429,
 * `TOOMANYREQUESTS`). It never crosses the package boundary alone — callers receive the
 * matching `@berth/errdefs` error with this one as its `cause` (see {@link registryErrorOf}).
 */
export class RegistryError extends Error {
  readonly status: number | undefined;
  readonly errors: DistributionError[];
  readonly registry: string;
  readonly repository: string | undefined;
  readonly reference: string | undefined;
  readonly operation: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly temporary: boolean;

  constructor(init: RegistryErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'RegistryError';
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.registry = init.registry;
    this.repository = init.repository;
    this.reference = init.reference;
    this.operation = init.operation;
    this.retryAfterMs = init.retryAfterMs;
    this.temporary = init.temporary ?? isTemporary(init.status, this.errors);
  }

  /** Whether the registry sent `code` among its errors. */
  hasCode(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

function isTemporary(status: number | undefined, errors: DistributionError[]): boolean {
  if (status === undefined) return true;
  if (status === 429 || status === 408 || status >= 500) return true;
  return errors.some((e) => e.code === 'TOOMANYREQUESTS');
}

/** `registry R: repository N: manifest latest: fetching manifest failed: MANIFEST_UNKNOWN: … (HTTP 404)` */
function describe(init: RegistryErrorInit): string {
  const where = [`registry ${init.registry}`];
  if (init.repository) where.push(`repository ${init.repository}`);
  if (init.reference) where.push(`reference ${init.reference}`);
  const what = init.operation ? `${init.operation} failed` : 'request failed';
  const codes = (init.errors ?? []).map((e) => (e.message ? `${e.code}: ${e.message}` : e.code));
  const reason = codes.length > 0 ? codes.join('; ') : (init.description ?? (init.cause instanceof Error ? init.cause.message : 'unknown error'));
  const status = init.status === undefined ? '' : ` (HTTP ${init.status})`;
  return `${where.join(', ')}: ${what}: ${reason}${status}`;
}

/**
 * The {@link RegistryError} behind `err`, found along its `cause` chain — how callers
 * read the HTTP status and distribution codes of a failure this package reported.
 */
export function registryErrorOf(err: unknown): RegistryError | undefined {
  const seen = new Set<unknown>();
  let current = err;
  while (current !== null && current !== undefined && !seen.has(current)) {
    if (current instanceof RegistryError) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
