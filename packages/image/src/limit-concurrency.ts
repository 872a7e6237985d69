/** Runs a task when a slot is free; resolves or rejects as the task does. */
export type ConcurrencyLimiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A limiter that runs at most `limit` of the tasks handed to it at once; the others wait
 * their turn in the order they came. Used to bound concurrent blob transfers (pull, push,
 * writing an image into a store). A finished task hands its slot straight to the next
 * waiting one, so a task arriving in between cannot push the count over `limit`. The
 * limiter holds no resources: drop it when done.
 */
export function limitConcurrency(limit: number): ConcurrencyLimiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
