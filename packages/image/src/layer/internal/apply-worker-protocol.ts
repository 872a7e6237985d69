import type { MessagePort } from 'node:worker_threads';
import {
  AlreadyExistsError,
  type BerthError,
  type BerthErrorOptions,
  ConflictError,
  type ErrorCode,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  PermissionDeniedError,
  UnauthorizedError,
  UnavailableError,
  isBerthError,
} from '@berth/errdefs';
import type { LayerCompression } from '@berth/spec';
import type { WhiteoutFormat } from '../../snapshot/snapshotter.js';
import type { AppliedLayer } from '../apply.js';

/** A layer to apply, posted to a worker with the port the job talks over. */
export interface ApplyJob {
  port: MessagePort;
  target: string;
  compression: LayerCompression | 'auto';
  whiteouts: WhiteoutFormat;
  lowerDirs: string[] | undefined;
  /** The lower dirs come later as a `lower-dirs` message (see `LayerWriterOptions.lowerDirs`). */
  deferLowerDirs: boolean;
  ownership: 'preserve' | 'ignore' | undefined;
}

/** Main thread → worker, on the job's port. */
export type JobRequest =
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  | { type: 'source-error'; message: string }
  | { type: 'lower-dirs'; dirs: string[] }
  | { type: 'abort' };

/** Worker → main thread, on the job's port. */
export type JobReply = { type: 'pull' } | { type: 'done'; applied: AppliedLayer } | { type: 'failed'; error: SerializedError };

/** An error as it crosses the thread boundary: Berth errors keep their code and details. */
export interface SerializedError {
  name: string;
  message: string;
  code: ErrorCode | undefined;
  details: Record<string, unknown> | undefined;
}

/** Flattens an error for `postMessage` (class identity does not survive structured clone). */
export function serializeError(err: unknown): SerializedError {
  if (isBerthError(err)) {
    const error = err as BerthError;
    return { name: error.name, message: error.message, code: error.code, details: safeDetails(error.details) };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, code: undefined, details: undefined };
  return { name: 'Error', message: String(err), code: undefined, details: undefined };
}

function safeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (details === undefined) return undefined;
  try {
    return structuredClone(details);
  } catch {
    return undefined;
  }
}

const errorClasses: Record<ErrorCode, new (message: string, options?: BerthErrorOptions) => BerthError> = {
  NotFound: NotFoundError,
  AlreadyExists: AlreadyExistsError,
  InvalidArgument: InvalidArgumentError,
  Conflict: ConflictError,
  FailedPrecondition: FailedPreconditionError,
  Unavailable: UnavailableError,
  Unauthorized: UnauthorizedError,
  PermissionDenied: PermissionDeniedError,
  NotImplemented: NotImplementedError,
  Internal: InternalError,
};

/** Rebuilds a worker's error on the main thread: the same Berth class, or an `AbortError`. */
export function deserializeError(error: SerializedError): Error {
  if (error.code !== undefined) {
    return new errorClasses[error.code](error.message, error.details === undefined ? {} : { details: error.details });
  }
  if (error.name === 'AbortError') return new DOMException(error.message, 'AbortError');
  return new InternalError(`applying a layer in a worker thread failed: ${error.message}`);
}
