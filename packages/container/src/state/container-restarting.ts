import type { ContainerState, Transition } from './container-state.js';
import type { ExitInfo } from './container-exit.js';

/**
 * The process ended and the restart policy will start it again after a delay: running /
 * paused → restarting, with the exit recorded and the restart counted. `startContainer`
 * with `byRestartPolicy` brings it back to running; a stop or kill meanwhile cancels it
 * (`exitContainer` then makes it exited).
 */
export function restartingContainer(state: ContainerState, exit: ExitInfo): Transition {
  if (state.status !== 'running' && state.status !== 'paused') return { state, changed: false };
  return {
    changed: true,
    state: {
      ...state,
      status: 'restarting',
      pid: 0,
      exitCode: exit.exitCode,
      oomKilled: exit.oomKilled ?? false,
      error: exit.error ?? '',
      finishedAt: exit.now,
      restartCount: state.restartCount + 1,
    },
  };
}
