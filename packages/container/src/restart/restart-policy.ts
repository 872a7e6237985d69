import { InvalidArgumentError } from '@berth/errdefs';
import type { RestartPolicy } from '../config/container-config.js';

/**
 * Parses docker's `--restart` syntax: `no`, `always`, `unless-stopped`, `on-failure`,
 * `on-failure:<max>`. `InvalidArgument` with docker's words otherwise.
 */
export function parseRestartPolicy(text: string): RestartPolicy {
  const [name, count, ...rest] = text.split(':');
  if (rest.length > 0) throw new InvalidArgumentError(`invalid restart policy format: ${text}`);
  switch (name) {
    case '':
    case 'no':
    case 'always':
    case 'unless-stopped':
      if (count !== undefined) {
        throw new InvalidArgumentError("invalid restart policy: maximum retry count can only be used with 'on-failure'");
      }
      return { name: name === '' ? 'no' : name };
    case 'on-failure': {
      if (count === undefined) return { name };
      if (!/^-?\d+$/.test(count)) throw new InvalidArgumentError(`invalid restart policy format: maximum retry count must be an integer`);
      const max = Number(count);
      if (max < 0) throw new InvalidArgumentError('invalid restart policy: maximum retry count can not be negative');
      return { name, maximumRetryCount: max };
    }
    default:
      throw new InvalidArgumentError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure' or 'unless-stopped'`);
  }
}

/** docker's restart backoff: the first delay. */
export const RESTART_INITIAL_DELAY_MS = 100;
/** docker's restart backoff: delays never exceed this. */
export const RESTART_MAX_DELAY_MS = 60_000;
/** A run at least this long resets the backoff to its first delay. */
export const RESTART_RESET_AFTER_MS = 10_000;

/** What the restart decision needs to know about the exit. */
export interface ExitFacts {
  exitCode: number;
  /** How long the process ran before it exited. */
  ranForMs: number;
  /** Restarts so far (the container's restart count). */
  restartCount: number;
  /** The delay before the previous restart (0 when there was none). */
  previousDelayMs: number;
  /** A user stopped or killed it (docker's `ExitOnNext`): no policy restarts it. */
  restartCanceled?: boolean;
  /** A user stopped it: `unless-stopped` leaves it down. */
  manuallyStopped?: boolean;
  /** The engine is shutting down: nothing is restarted. */
  engineShuttingDown?: boolean;
}

/** The decision: restart after `delayMs`, or leave the container exited. */
export type RestartDecision = { restart: false } | { restart: true; delayMs: number; restartCount: number };

/**
 * docker's backoff: 100 ms, doubled after each restart, capped at one minute, back to
 * 100 ms after a run of at least 10 s.
 */
export function nextRestartDelay(previousDelayMs: number, ranForMs: number): number {
  const previous = ranForMs >= RESTART_RESET_AFTER_MS ? 0 : previousDelayMs;
  return previous === 0 ? RESTART_INITIAL_DELAY_MS : Math.min(RESTART_MAX_DELAY_MS, previous * 2);
}

/**
 * Whether a container that exited by itself is restarted, and after how long (docker's
 * restart manager, as a pure function):
 * - `no`: never; `always`: always; `unless-stopped`: unless a user stopped it;
 * - `on-failure[:max]`: on a non-zero exit code, while fewer than `max` restarts were
 *   made (0 or absent: no limit);
 * - never after an explicit stop or kill (`restartCanceled`) or during engine shutdown.
 */
export function decideRestart(policy: RestartPolicy | undefined, facts: ExitFacts): RestartDecision {
  if (!policy || policy.name === 'no' || facts.restartCanceled || facts.engineShuttingDown) return { restart: false };
  let restart: boolean;
  switch (policy.name) {
    case 'always':
      restart = true;
      break;
    case 'unless-stopped':
      restart = !facts.manuallyStopped;
      break;
    case 'on-failure': {
      const max = policy.maximumRetryCount ?? 0;
      restart = facts.exitCode !== 0 && (max === 0 || facts.restartCount < max);
      break;
    }
  }
  if (!restart) return { restart: false };
  return {
    restart: true,
    delayMs: nextRestartDelay(facts.previousDelayMs, facts.ranForMs),
    restartCount: facts.restartCount + 1,
  };
}

/**
 * Whether the engine starts a stopped container when it itself starts (docker's daemon
 * restore): `always` always, `unless-stopped` unless a user stopped it, `on-failure`
 * after a non-zero exit within its retry limit.
 */
export function shouldStartOnEngineStart(
  policy: RestartPolicy | undefined,
  facts: { exitCode: number; manuallyStopped: boolean; restartCount: number },
): boolean {
  switch (policy?.name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !facts.manuallyStopped;
    case 'on-failure': {
      const max = policy.maximumRetryCount ?? 0;
      return facts.exitCode !== 0 && (max === 0 || facts.restartCount < max);
    }
    default:
      return false;
  }
}
