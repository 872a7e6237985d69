/**
 * Berth's closed error taxonomy. Throw the subclasses, branch with the predicates,
 * and let {@link toHttpStatus} pick HTTP statuses.
 *
 * @packageDocumentation
 */
export {
  ERROR_CODES,
  BerthError,
  NotFoundError,
  AlreadyExistsError,
  InvalidArgumentError,
  ConflictError,
  FailedPreconditionError,
  UnavailableError,
  UnauthorizedError,
  PermissionDeniedError,
  NotImplementedError,
  InternalError,
} from './errors.js';
export type { ErrorCode, BerthErrorOptions } from './errors.js';
export {
  isBerthError,
  errorCode,
  findBerthError,
  isNotFound,
  isAlreadyExists,
  isInvalidArgument,
  isConflict,
  isFailedPrecondition,
  isUnavailable,
  isUnauthorized,
  isPermissionDenied,
  isNotImplemented,
  isInternal,
} from './predicates.js';
export type { CodedError } from './predicates.js';
export { toHttpStatus } from './http.js';
