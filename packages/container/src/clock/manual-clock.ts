import type { Clock } from './clock.js';

interface PendingTimer {
  due: number;
  seq: number;
  callback: () => void;
}

/**
 * A {@link Clock} that only moves when told to: `advance(ms)` runs the timers that fall
 * due, in order, letting promise chains settle between them. Deterministic tests and the
 * in-memory engine use it so that "after 10 s" takes no real time.
 */
export interface ManualClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer due on the way at its own time (timers
   * set by fired callbacks count too). Resolves once they have run and the promise
   * reactions they caused have settled.
   */
  advance(ms: number): Promise<void>;
  /** How many timers are waiting. */
  pendingTimers(): number;
}

/** Lets queued promise reactions and immediates run (a full macrotask turn). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A {@link ManualClock} starting at `start` (default: 2024-01-01T00:00:00Z). */
export function createManualClock(start: Date = new Date('2024-01-01T00:00:00Z')): ManualClock {
  let nowMs = start.getTime();
  let seq = 0;
  const timers: PendingTimer[] = [];

  const nextDue = (): PendingTimer | undefined => {
    let best: PendingTimer | undefined;
    for (const timer of timers) {
      if (!best || timer.due < best.due || (timer.due === best.due && timer.seq < best.seq)) best = timer;
    }
    return best;
  };

  return {
    now: () => new Date(nowMs),
    setTimer(ms, callback) {
      const timer: PendingTimer = { due: nowMs + Math.max(0, ms), seq: seq++, callback };
      timers.push(timer);
      return () => {
        const index = timers.indexOf(timer);
        if (index >= 0) timers.splice(index, 1);
      };
    },
    async advance(ms) {
      const target = nowMs + Math.max(0, ms);
      await settle();
      for (;;) {
        const timer = nextDue();
        if (!timer || timer.due > target) break;
        timers.splice(timers.indexOf(timer), 1);
        nowMs = Math.max(nowMs, timer.due);
        timer.callback();
        await settle();
      }
      nowMs = target;
      await settle();
    },
    pendingTimers: () => timers.length,
  };
}
