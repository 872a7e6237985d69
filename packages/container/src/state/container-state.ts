/**
 * The lifecycle states of a container (docker's, plus `removed`):
 *
 * ```
 * created ──start──▶ running ◀──unpause── paused
 *    │                │  ▲  └──pause──────▲
 *    │               exit │ start
 *    │                ▼  │
 *    │            restarting (policy wait)
 *    │                │ exit
 *    ▼                ▼
 *  removing ◀──── exited ──start──▶ running
 *    │  └─(failure)─▶ dead
 *    ▼
 *  removed
 * ```
 */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'removing' | 'dead' | 'removed';

/** Every {@link ContainerStatus}. */
export const CONTAINER_STATUSES: readonly ContainerStatus[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'exited',
  'removing',
  'dead',
  'removed',
];

/** The state of a container, as `inspect` reports it. Values, never mutated in place. */
export interface ContainerState {
  status: ContainerStatus;
  /** Host PID of its process while running or paused; 0 otherwise. */
  pid: number;
  /** Exit code of the last run (0 before the first exit). */
  exitCode: number;
  /** Why the last start or run failed (`''` if it did not). */
  error: string;
  /** The last run was ended by the kernel's OOM killer. */
  oomKilled: boolean;
  startedAt?: Date;
  finishedAt?: Date;
  /** Restarts by the restart policy since the last explicit start. */
  restartCount: number;
  /**
   * Stopped or killed by a user (docker's `HasBeenManuallyStopped`): `unless-stopped`
   * does not bring it back when the engine starts. Reset by the next start.
   */
  manuallyStopped: boolean;
  /**
   * The restart policy must not act on the next exit (docker's `ExitOnNext`): set by
   * stop, and by kill with the stop signal or SIGKILL. Reset by the next start.
   */
  restartCanceled: boolean;
}

/** Who a transition is about, for error messages: docker names by ID or by `/name`. */
export interface ContainerRef {
  id: string;
  /** Container name (without the leading `/`). */
  name?: string;
}

/** The state of a container just created. */
export function initialContainerState(): ContainerState {
  return {
    status: 'created',
    pid: 0,
    exitCode: 0,
    error: '',
    oomKilled: false,
    restartCount: 0,
    manuallyStopped: false,
    restartCanceled: false,
  };
}

/** The process is alive: running or paused (or `restarting`, which docker counts as running). */
export function isRunningStatus(status: ContainerStatus): boolean {
  return status === 'running' || status === 'paused' || status === 'restarting';
}

/** The result of a transition: the next state, and whether anything changed (docker's 304 when not). */
export interface Transition {
  state: ContainerState;
  /** `false` for docker's "not modified" cases: starting a running container, stopping a stopped one. */
  changed: boolean;
}
