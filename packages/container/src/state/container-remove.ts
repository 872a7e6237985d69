import { ConflictError } from '@berth/errdefs';
import type { ContainerRef, ContainerState, Transition } from './container-state.js';
import { assertNotRemoved, badTransition, quotedName } from './transition-errors.js';

/**
 * Checks that the container may be removed. Without `force`, a running, paused or
 * restarting container is refused with docker's message ("cannot remove container
 * "/web": container is running: stop the container before removing or force remove").
 * A removal already in progress is a `Conflict`.
 */
export function checkRemove(ref: ContainerRef, state: ContainerState, options: { force?: boolean } = {}): void {
  assertNotRemoved(ref, state);
  if (state.status === 'removing') {
    throw new ConflictError(`removal of container ${ref.id} is already in progress`, {
      details: { id: ref.id, status: state.status },
    });
  }
  const live = state.status === 'running' || state.status === 'paused' || state.status === 'restarting';
  if (live && !options.force) {
    throw badTransition(
      ref,
      state,
      `cannot remove container ${quotedName(ref)}: container is ${state.status}: stop the container before removing or force remove`,
    );
  }
}

/** → removing: the removal started (a forced one kills the process first). */
export function removingContainer(ref: ContainerRef, state: ContainerState, options: { force?: boolean } = {}): Transition {
  checkRemove(ref, state, options);
  return { changed: true, state: { ...state, status: 'removing' } };
}

/** removing → removed: nothing is left of it. */
export function removedContainer(state: ContainerState): Transition {
  return { changed: state.status !== 'removed', state: { ...state, status: 'removed', pid: 0 } };
}

/** removing → dead: the removal failed half-way (docker's `dead`; only removal is allowed then). */
export function deadContainer(state: ContainerState, error: string): Transition {
  return { changed: true, state: { ...state, status: 'dead', pid: 0, error } };
}
