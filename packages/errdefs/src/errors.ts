/**
 * The closed set of error codes. Every error Berth raises across a package boundary
 * carries exactly one of them; callers branch on the code, never on the message.
 */
export const ERROR_CODES = [
  'NotFound',
  'AlreadyExists',
  'InvalidArgument',
  'Conflict',
  'FailedPrecondition',
  'Unavailable',
  'Unauthorized',
  'PermissionDenied',
  'NotImplemented',
  'Internal',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options every Berth error accepts: the underlying cause, and structured details. */
export interface BerthErrorOptions {
  /** The error this one wraps; kept on the standard `cause` property. */
  cause?: unknown;
  /** Machine-readable context (ids, names, states) for logs and API bodies. */
  details?: Record<string, unknown>;
}

/**
 * Base class of the taxonomy. Do not throw it directly; throw one of the subclasses.
 * The `code` is the identity of the error: predicates compare it, so errors created by
 * a second copy of this package (duplicate installs) are still recognised.
 */
export abstract class BerthError extends Error {
  /** The taxonomy code; stable across package copies and versions. */
  abstract readonly code: ErrorCode;
  /** Marker that survives duplicate package copies, used by {@link isBerthError}. */
  readonly berthError = true as const;
  /** Structured context given at construction. */
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
  }

  override get name(): string {
    return `${this.code}Error`;
  }
}

/** A named object (image, container, blob…) does not exist. HTTP 404. */
export class NotFoundError extends BerthError {
  readonly code = 'NotFound' as const;
}
/** The object to create exists already. HTTP 409. */
export class AlreadyExistsError extends BerthError {
  readonly code = 'AlreadyExists' as const;
}
/** The input is malformed or out of range; nothing was changed. HTTP 400. */
export class InvalidArgumentError extends BerthError {
  readonly code = 'InvalidArgument' as const;
}
/** The request conflicts with the current state of another object (in use, name taken). HTTP 409. */
export class ConflictError extends BerthError {
  readonly code = 'Conflict' as const;
}
/** The object is not in a state that allows the operation (e.g. stopping a stopped container). HTTP 409. */
export class FailedPreconditionError extends BerthError {
  readonly code = 'FailedPrecondition' as const;
}
/** A dependency (registry, runtime, disk) is unreachable or overloaded; retrying may help. HTTP 503. */
export class UnavailableError extends BerthError {
  readonly code = 'Unavailable' as const;
}
/** Credentials are missing or wrong. HTTP 401. */
export class UnauthorizedError extends BerthError {
  readonly code = 'Unauthorized' as const;
}
/** Credentials are valid but do not allow the operation. HTTP 403. */
export class PermissionDeniedError extends BerthError {
  readonly code = 'PermissionDenied' as const;
}
/** The operation is not supported by this implementation or driver. HTTP 501. */
export class NotImplementedError extends BerthError {
  readonly code = 'NotImplemented' as const;
}
/** A bug or an unexpected failure; details are in the cause chain. HTTP 500. */
export class InternalError extends BerthError {
  readonly code = 'Internal' as const;
}
