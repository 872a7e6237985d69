import type { ContainerRef, ContainerState, Transition } from './container-state.js';
import { isRunningStatus } from './container-state.js';
import { assertNotRemoved } from './transition-errors.js';

/**
 * Checks whether a stop has anything to do: `false` when the container is not running
 * (docker answers 304 Not Modified). Paused and restarting containers can be stopped.
 */
export function checkStop(ref: ContainerRef, state: ContainerState): boolean {
  assertNotRemoved(ref, state);
  return isRunningStatus(state.status);
}

/**
 * Marks a user stop before the stop signal is sent: the container counts as manually
 * stopped (`unless-stopped` leaves it down) and the restart policy will not act on the
 * exit that follows. The status changes when the process exits (`exitContainer`).
 */
export function stopContainer(ref: ContainerRef, state: ContainerState): Transition {
  if (!checkStop(ref, state)) return { state, changed: false };
  return { changed: true, state: { ...state, manuallyStopped: true, restartCanceled: true } };
}
