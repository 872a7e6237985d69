import { FailedPreconditionError } from '@berth/errdefs';

/** How a method delivers its result, so a call on a closed engine fails the same way. */
type Delivery = 'promise' | 'iterable' | 'handle';

function closedError(method: string): FailedPreconditionError {
  return new FailedPreconditionError(`the engine is closed (${method})`);
}

/**
 * `api` with every method refusing once `isClosed()` says so: promises reject, iterables
 * throw when iterated, pull/push handles reject their `done` — with `FailedPrecondition`,
 * instead of hanging on parts that are shut down.
 */
export function guardClosed<T extends object>(api: T, isClosed: () => boolean, deliveries: Record<string, Delivery> = {}): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(api)) {
    if (typeof value !== 'function') {
      guarded[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    const delivery = deliveries[name] ?? 'promise';
    guarded[name] = (...args: unknown[]) => {
      if (!isClosed()) return method.apply(api, args);
      const error = closedError(name);
      if (delivery === 'iterable') {
        return {
          [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
        };
      }
      if (delivery === 'handle') {
        const done = Promise.reject(error);
        done.catch(() => undefined);
        return { progress: { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) }, done };
      }
      return Promise.reject(error);
    };
  }
  return guarded as T;
}
