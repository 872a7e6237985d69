import { FailedPreconditionError, NotFoundError } from '@berth/errdefs';
import type { ContainerRef, ContainerState } from './container-state.js';

/** A bad transition: `FailedPrecondition` with the current status in its details. */
export function badTransition(ref: ContainerRef, state: ContainerState, message: string): FailedPreconditionError {
  return new FailedPreconditionError(message, { details: { id: ref.id, name: ref.name, status: state.status } });
}

/** docker's "Container <id> is not running". */
export function notRunning(ref: ContainerRef, state: ContainerState): FailedPreconditionError {
  return badTransition(ref, state, `Container ${ref.id} is not running`);
}

/** docker's "Container <id> is restarting, wait until the container is running". */
export function restarting(ref: ContainerRef, state: ContainerState): FailedPreconditionError {
  return badTransition(ref, state, `Container ${ref.id} is restarting, wait until the container is running`);
}

/** Any operation on a removed container: `NotFound` ("No such container: <id>"). */
export function assertNotRemoved(ref: ContainerRef, state: ContainerState): void {
  if (state.status === 'removed') {
    throw new NotFoundError(`No such container: ${ref.id}`, { details: { id: ref.id, status: state.status } });
  }
}

/** docker quotes container names with their leading slash in messages. */
export function quotedName(ref: ContainerRef): string {
  return JSON.stringify(`/${ref.name ?? ref.id}`);
}
