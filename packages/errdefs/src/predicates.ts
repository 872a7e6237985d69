import { ERROR_CODES, type ErrorCode } from './errors.js';

/** The structural shape predicates rely on; any object with a known `code` qualifies. */
export interface CodedError extends Error {
  readonly code: ErrorCode;
}

const codes: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * Whether `err` is a Berth error, judged by its `code` rather than `instanceof` so that
 * errors from another copy of this package are recognised too.
 */
export function isBerthError(err: unknown): err is CodedError {
  if (!(err instanceof Error)) return false;
  const candidate = err as Error & { code?: unknown; berthError?: unknown };
  return typeof candidate.code === 'string' && codes.has(candidate.code) && candidate.berthError === true;
}

/** The taxonomy code of `err`, or `undefined` for foreign errors. */
export function errorCode(err: unknown): ErrorCode | undefined {
  return isBerthError(err) ? err.code : undefined;
}

function is(code: ErrorCode) {
  return (err: unknown): err is CodedError => errorCode(err) === code;
}

/** `err` has code `NotFound`. */
export const isNotFound = is('NotFound');
/** `err` has code `AlreadyExists`. */
export const isAlreadyExists = is('AlreadyExists');
/** `err` has code `InvalidArgument`. */
export const isInvalidArgument = is('InvalidArgument');
/** `err` has code `Conflict`. */
export const isConflict = is('Conflict');
/** `err` has code `FailedPrecondition`. */
export const isFailedPrecondition = is('FailedPrecondition');
/** `err` has code `Unavailable`. */
export const isUnavailable = is('Unavailable');
/** `err` has code `Unauthorized`. */
export const isUnauthorized = is('Unauthorized');
/** `err` has code `PermissionDenied`. */
export const isPermissionDenied = is('PermissionDenied');
/** `err` has code `NotImplemented`. */
export const isNotImplemented = is('NotImplemented');
/** `err` has code `Internal`. */
export const isInternal = is('Internal');

/**
 * Walks the `cause` chain of `err` (including `err` itself) and returns the first Berth
 * error found — useful when a foreign wrapper (an `AggregateError`, a stream error) hides it.
 */
export function findBerthError(err: unknown): CodedError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== undefined && current !== null && !seen.has(current)) {
    if (isBerthError(current)) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
