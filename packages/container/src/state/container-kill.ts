import { parseSignal } from '../config/signals.js';
import type { ContainerRef, ContainerState, Transition } from './container-state.js';
import { isRunningStatus } from './container-state.js';
import { assertNotRemoved, notRunning } from './transition-errors.js';

/** Checks that the container can be sent a signal: `FailedPrecondition` "Container <id> is not running" otherwise. */
export function checkKill(ref: ContainerRef, state: ContainerState): void {
  assertNotRemoved(ref, state);
  if (!isRunningStatus(state.status)) throw notRunning(ref, state);
}

/** Options of {@link killContainer}. */
export interface KillOptions {
  /** The signal sent. */
  signal: string | number;
  /** The container's configured stop signal, if it has one. */
  stopSignal?: string;
}

/**
 * Records a user kill before the signal is sent, as docker does: the container counts
 * as manually stopped, and the restart policy is canceled for the next exit when the
 * signal is SIGKILL, the configured stop signal, or any signal if none is configured.
 * A restarting container is not signalled (there is no process); the caller only
 * cancels its pending restart.
 */
export function killContainer(ref: ContainerRef, state: ContainerState, options: KillOptions): Transition {
  checkKill(ref, state);
  const signal = parseSignal(options.signal);
  const cancels = signal.name === 'SIGKILL' || !options.stopSignal || parseSignal(options.stopSignal).number === signal.number;
  return {
    changed: true,
    state: { ...state, manuallyStopped: true, restartCanceled: state.restartCanceled || cancels },
  };
}
