import {
  type BerthError,
  ConflictError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  PermissionDeniedError,
  UnauthorizedError,
  UnavailableError,
  isBerthError,
} from '@berth/errdefs';
import { RegistryError } from './registry-error.js';

const notFoundCodes = new Set(['BLOB_UNKNOWN', 'BLOB_UPLOAD_UNKNOWN', 'MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'MANIFEST_BLOB_UNKNOWN']);
const invalidCodes = new Set([
  'BLOB_UPLOAD_INVALID',
  'DIGEST_INVALID',
  'MANIFEST_INVALID',
  'MANIFEST_UNVERIFIED',
  'NAME_INVALID',
  'PAGINATION_NUMBER_INVALID',
  'RANGE_INVALID',
  'SIZE_INVALID',
  'TAG_INVALID',
]);

/**
 * The `@berth/errdefs` error for a registry failure, carrying the {@link RegistryError} as
 * its cause and its facts as `details`. Codes win over statuses, since registries are not
 * consistent about statuses (a missing manifest in a missing repository is 404 with
 * `NAME_UNKNOWN` on one, 401 on another).
 */
export function toBerthError(err: RegistryError): BerthError {
  const options = {
    cause: err,
    details: {
      registry: err.registry,
      repository: err.repository,
      reference: err.reference,
      status: err.status,
      errors: err.errors.map((e) => e.code),
      temporary: err.temporary,
    },
  };
  const codes = err.errors.map((e) => e.code);
  const has = (set: Set<string>) => codes.some((c) => set.has(c));
  if (codes.includes('UNAUTHORIZED') || err.status === 401) return new UnauthorizedError(err.message, options);
  if (codes.includes('DENIED') || err.status === 403) return new PermissionDeniedError(err.message, options);
  if (codes.includes('TOOMANYREQUESTS') || err.status === 429) return new UnavailableError(err.message, options);
  if (has(notFoundCodes) || err.status === 404) return new NotFoundError(err.message, options);
  if (has(invalidCodes) || err.status === 400 || err.status === 416) return new InvalidArgumentError(err.message, options);
  if (codes.includes('UNSUPPORTED') || err.status === 405 || err.status === 501) return new NotImplementedError(err.message, options);
  if (err.status === 409) return new ConflictError(err.message, options);
  if (err.status === undefined || err.status >= 500 || err.temporary) return new UnavailableError(err.message, options);
  return new InternalError(err.message, options);
}

/**
 * Converts whatever a registry operation threw into a Berth error: registry failures are
 * mapped, Berth errors and aborts pass through, anything else becomes `Internal`.
 */
export function asBerthError(err: unknown, context: string): unknown {
  if (isBerthError(err)) return err;
  if (err instanceof RegistryError) return toBerthError(err);
  if (err instanceof Error && err.name === 'AbortError') return err;
  return new InternalError(`${context}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
