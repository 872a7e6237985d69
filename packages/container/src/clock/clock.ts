/**
 * Time as the container package sees it: the wall clock for real runs, a manual one for
 * deterministic tests and the in-memory engine. Everything that waits (restart delays,
 * scripted processes of the fake runtime, log timestamps) goes through a `Clock`.
 */
export interface Clock {
  /** The current time. */
  now(): Date;
  /**
   * Calls `callback` once after `ms` milliseconds of this clock's time and returns a
   * function that cancels it (a no-op once it has run).
   */
  setTimer(ms: number, callback: () => void): () => void;
}

/** The real clock: `Date` and `setTimeout`. Timers do not keep the process alive. */
export const systemClock: Clock = {
  now: () => new Date(),
  setTimer(ms, callback) {
    const handle = setTimeout(callback, Math.max(0, ms));
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};

/**
 * Waits `ms` of `clock` time. Rejects with the signal's reason when `signal` aborts
 * first (the timer is cancelled).
 */
export function sleep(clock: Clock, ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = options;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
