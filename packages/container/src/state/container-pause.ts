import type { ContainerRef, ContainerState, Transition } from './container-state.js';
import { assertNotRemoved, badTransition, notRunning, restarting } from './transition-errors.js';

/**
 * Checks that the container can be paused, with docker's messages: "Container <id> is
 * not running", "… is already paused", "… is restarting, wait until the container is running".
 */
export function checkPause(ref: ContainerRef, state: ContainerState): void {
  assertNotRemoved(ref, state);
  if (state.status === 'paused') throw badTransition(ref, state, `Container ${ref.id} is already paused`);
  if (state.status === 'restarting') throw restarting(ref, state);
  if (state.status !== 'running') throw notRunning(ref, state);
}

/** running → paused (after the runtime froze the cgroup). */
export function pauseContainer(ref: ContainerRef, state: ContainerState): Transition {
  checkPause(ref, state);
  return { changed: true, state: { ...state, status: 'paused' } };
}
