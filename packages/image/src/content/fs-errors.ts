import {
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  UnavailableError,
  isBerthError,
  type BerthError,
} from '@berth/errdefs';

/** The `code` of a Node system error (`ENOENT` …), if it is one. */
export function systemErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Translates a filesystem failure into the taxonomy, saying what was being done:
 * a full disk may pass (`Unavailable`), a refused one will not (`PermissionDenied`).
 * Berth errors and abort reasons pass through unchanged.
 */
export function fsFailure(doing: string, err: unknown): BerthError | Error {
  if (isBerthError(err)) return err as BerthError;
  // An aborted signal's reason (AbortError, TimeoutError, or the caller's own) is the caller's to see.
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) return err;
  const code = systemErrorCode(err);
  const message = `${doing}: ${(err as Error)?.message ?? String(err)}`;
  switch (code) {
    case 'ENOENT':
      return new NotFoundError(message, { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new PermissionDeniedError(message, { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EMFILE':
    case 'ENFILE':
      return new UnavailableError(message, { cause: err });
    default:
      return new InternalError(message, { cause: err });
  }
}
