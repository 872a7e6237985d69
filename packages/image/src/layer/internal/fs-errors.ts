import {
  InternalError,
  PermissionDeniedError,
  UnavailableError,
  isBerthError,
} from '@berth/errdefs';

/**
 * Turns a Node file-system error met while working on `what` into a Berth error:
 * a full disk is `Unavailable`, a refused permission `PermissionDenied`, anything else
 * `Internal`. Berth errors and aborts pass through unchanged.
 */
export function fsError(err: unknown, what: string): Error {
  if (isBerthError(err)) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const message = `${what}: ${(err as Error)?.message ?? String(err)}`;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new UnavailableError(message, { cause: err });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new PermissionDeniedError(message, { cause: err });
  return new InternalError(message, { cause: err });
}
