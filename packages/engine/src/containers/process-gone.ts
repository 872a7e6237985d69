import { isFailedPrecondition, isNotFound } from '@berth/errdefs';

/**
 * Whether a runtime's refusal means the container's process is already gone: the runtime
 * no longer runs it (`FailedPrecondition`) or has forgotten it (`NotFound`). A container
 * the engine still records as running is then exiting on its own, its exit on the way —
 * dockerd treats a kill that finds no process the same way.
 */
export function processGone(err: unknown): boolean {
  return isNotFound(err) || isFailedPrecondition(err);
}
