import type { ContainerState, Transition } from './container-state.js';

/** How a container's process ended. */
export interface ExitInfo {
  exitCode: number;
  now: Date;
  /** Killed by the kernel's OOM killer. */
  oomKilled?: boolean;
  /** Why, when the runtime failed rather than the process exiting. */
  error?: string;
}

/**
 * The process ended: running / paused / restarting → exited, with its exit code, time
 * and OOM flag; the PID is cleared. A container being removed stays `removing` (the
 * exit is still recorded). Anything else has no process: nothing changes.
 */
export function exitContainer(state: ContainerState, exit: ExitInfo): Transition {
  const live = state.status === 'running' || state.status === 'paused' || state.status === 'restarting';
  if (!live && state.status !== 'removing') return { state, changed: false };
  return {
    changed: true,
    state: {
      ...state,
      status: state.status === 'removing' ? 'removing' : 'exited',
      pid: 0,
      exitCode: exit.exitCode,
      oomKilled: exit.oomKilled ?? false,
      error: exit.error ?? '',
      finishedAt: exit.now,
    },
  };
}
