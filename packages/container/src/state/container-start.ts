import type { ContainerRef, ContainerState, Transition } from './container-state.js';
import { assertNotRemoved, badTransition } from './transition-errors.js';

/**
 * Checks that the container may be started; `false` when it is already running
 * (docker answers 304 Not Modified). `FailedPrecondition` with docker's words for a
 * paused container ("cannot start a paused container, try unpause instead") and for one
 * being removed or dead ("container is marked for removal and cannot be started").
 */
export function checkStart(ref: ContainerRef, state: ContainerState): boolean {
  assertNotRemoved(ref, state);
  switch (state.status) {
    case 'running':
      return false;
    case 'paused':
      throw badTransition(ref, state, 'cannot start a paused container, try unpause instead');
    case 'removing':
    case 'dead':
      throw badTransition(ref, state, 'container is marked for removal and cannot be started');
    default:
      return true;
  }
}

/** Options of {@link startContainer}. */
export interface StartOptions {
  /** Host PID of the started process. */
  pid: number;
  now: Date;
  /** Started by the restart policy (keeps the restart count) rather than by a user (resets it). */
  byRestartPolicy?: boolean;
}

/**
 * created / exited / restarting → running, after the runtime started the process:
 * records the PID and start time and clears the last exit (code, error, OOM) and the
 * stop flags. A user start resets the restart count.
 */
export function startContainer(ref: ContainerRef, state: ContainerState, options: StartOptions): Transition {
  if (!checkStart(ref, state)) return { state, changed: false };
  return {
    changed: true,
    state: {
      ...state,
      status: 'running',
      pid: options.pid,
      exitCode: 0,
      error: '',
      oomKilled: false,
      startedAt: options.now,
      restartCount: options.byRestartPolicy ? state.restartCount : 0,
      manuallyStopped: false,
      restartCanceled: false,
    },
  };
}

/**
 * Records a start that failed before the process ran (command not found, bad mount…):
 * the status stays as it was (a never-started container stays `created`, as docker
 * shows it), with the error and docker's exit code for it (127 not found, 126 not
 * executable, else 128).
 */
export function failStart(state: ContainerState, options: { error: string; exitCode?: number; now: Date }): ContainerState {
  return {
    ...state,
    status: state.status === 'restarting' ? 'exited' : state.status,
    pid: 0,
    error: options.error,
    exitCode: options.exitCode ?? 128,
    finishedAt: state.status === 'restarting' ? options.now : state.finishedAt,
  };
}
