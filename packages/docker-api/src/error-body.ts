import { toHttpStatus } from '@berth/errdefs';
import type { ErrorResponse } from './generated/engine-api-schemas.js';

/** An error as berthd answers it: the status and the `{"message": …}` body. */
export interface ErrorReply {
  /** Chosen by `toHttpStatus` from `@berth/errdefs`, never here. */
  status: number;
  body: ErrorResponse;
}

/**
 * The reply for an error, as dockerd sends it: `{"message": "No such container: x"}` with the
 * status of the error's taxonomy code. Foreign errors become 500 with their message.
 */
export function errorBody(err: unknown): ErrorReply {
  return { status: toHttpStatus(err), body: { message: errorMessage(err) } };
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return String(err);
}
