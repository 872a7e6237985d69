import type { ContainerRef, ContainerState } from './container-state.js';
import { assertNotRemoved, badTransition, notRunning, restarting } from './transition-errors.js';

/**
 * Checks that a process can be executed in the container, with docker's messages:
 * "Container <id> is not running", "… is paused, unpause the container before exec",
 * "… is restarting, wait until the container is running".
 */
export function checkExec(ref: ContainerRef, state: ContainerState): void {
  assertNotRemoved(ref, state);
  if (state.status === 'paused') throw badTransition(ref, state, `Container ${ref.id} is paused, unpause the container before exec`);
  if (state.status === 'restarting') throw restarting(ref, state);
  if (state.status !== 'running') throw notRunning(ref, state);
}

/**
 * Checks that a client can attach to the container's stdio, with docker's messages:
 * "You cannot attach to a stopped container, start it first", "… to a paused
 * container, unpause it first", "… to a restarting container, wait until it is running".
 */
export function checkAttach(ref: ContainerRef, state: ContainerState): void {
  assertNotRemoved(ref, state);
  if (state.status === 'paused') throw badTransition(ref, state, 'You cannot attach to a paused container, unpause it first');
  if (state.status === 'restarting') {
    throw badTransition(ref, state, 'You cannot attach to a restarting container, wait until it is running');
  }
  if (state.status !== 'running') throw badTransition(ref, state, 'You cannot attach to a stopped container, start it first');
}

/** Checks that the container's processes can be listed (`top`): it must be running or paused. */
export function checkTop(ref: ContainerRef, state: ContainerState): void {
  assertNotRemoved(ref, state);
  if (state.status === 'restarting') throw restarting(ref, state);
  if (state.status !== 'running' && state.status !== 'paused') throw notRunning(ref, state);
}
