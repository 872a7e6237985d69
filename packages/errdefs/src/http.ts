import type { ErrorCode } from './errors.js';
import { errorCode } from './predicates.js';

const statusByCode: Record<ErrorCode, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  InvalidArgument: 400,
  Conflict: 409,
  FailedPrecondition: 409,
  Unavailable: 503,
  Unauthorized: 401,
  PermissionDenied: 403,
  NotImplemented: 501,
  Internal: 500,
};

/**
 * The HTTP status for an error: the one place in Berth where a status code is chosen.
 * Foreign errors (anything without a taxonomy code) are 500.
 */
export function toHttpStatus(err: unknown): number {
  const code = errorCode(err);
  return code === undefined ? 500 : statusByCode[code];
}
