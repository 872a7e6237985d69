import type { OciRuntime } from '@berth/container';

/** Milliseconds spent in each runtime method, summed since the last {@link RuntimeTimes.reset}. */
export interface RuntimeTimes {
  /** Method name → total ms and number of calls. */
  readonly totals: Map<string, { ms: number; calls: number }>;
  reset(): void;
}

/**
 * Wraps an {@link OciRuntime} so every call of an async method is timed (wall time, from
 * call to settlement). `create` is conmon's spawn + `runc create`; `start` opens runc's
 * exec FIFO (no runc process); `delete` waits for conmon, which ran `runc delete` at the
 * exit; `state` and `wait` are what they say.
 */
export function timedRuntime(inner: OciRuntime): { runtime: OciRuntime; times: RuntimeTimes } {
  const totals = new Map<string, { ms: number; calls: number }>();
  const runtime = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'close') return value;
      return (...args: unknown[]) => {
        const start = performance.now();
        const note = () => {
          const total = totals.get(property) ?? { ms: 0, calls: 0 };
          total.ms += performance.now() - start;
          total.calls += 1;
          totals.set(property, total);
        };
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) return result.finally(note);
        note();
        return result;
      };
    },
  });
  return { runtime, times: { totals, reset: () => totals.clear() } };
}
