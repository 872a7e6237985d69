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
} from '@berth/errdefs';

/**
 * The `@berth/errdefs` error for a Docker API error reply: the status picks the class (the
 * inverse of `toHttpStatus`), the daemon's `{"message"}` is kept verbatim. Every 409 is
 * `Conflict`: the wire cannot tell a name conflict from a wrong container state, and the
 * Engine contract accepts `Conflict` for docker's state 409s.
 */
export function errorFromStatus(status: number, message: string, details?: Record<string, unknown>): BerthError {
  const options = { details: { status, ...details } };
  switch (status) {
    case 400:
      return new InvalidArgumentError(message, options);
    case 401:
      return new UnauthorizedError(message, options);
    case 403:
      return new PermissionDeniedError(message, options);
    case 404:
      return new NotFoundError(message, options);
    case 409:
      return new ConflictError(message, options);
    case 501:
      return new NotImplementedError(message, options);
    case 503:
      return new UnavailableError(message, options);
    default:
      return status >= 400 && status < 500 ? new InvalidArgumentError(message, options) : new InternalError(message, options);
  }
}

/** The message of an error body: dockerd's `{"message": …}`, else the text itself, else the status line. */
export function errorMessageOf(body: string, status: number, statusText: string | undefined): string {
  const text = body.trim();
  if (text !== '') {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string') {
        return (parsed as { message: string }).message;
      }
    } catch {
      // Not JSON: old daemons and proxies answer plain text.
    }
    return text;
  }
  return `${status} ${statusText ?? ''}`.trim();
}
