import type { ContainerRef, ContainerState, Transition } from './container-state.js';
import { assertNotRemoved, badTransition } from './transition-errors.js';

/** Checks that the container is paused: docker's "Container <id> is not paused" otherwise. */
export function checkUnpause(ref: ContainerRef, state: ContainerState): void {
  assertNotRemoved(ref, state);
  if (state.status !== 'paused') throw badTransition(ref, state, `Container ${ref.id} is not paused`);
}

/** paused → running (after the runtime thawed the cgroup). */
export function unpauseContainer(ref: ContainerRef, state: ContainerState): Transition {
  checkUnpause(ref, state);
  return { changed: true, state: { ...state, status: 'running' } };
}
