/** The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `callback` once `ms` milliseconds have passed, however long that is: the timer is
 * re-armed in steps `setTimeout` can take, where a plain `setTimeout` would overflow and
 * fire immediately. `Infinity` (or NaN) never fires. Returns the cancel function (idempotent).
 */
export function setLongTimeout(callback: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  if (!(ms < Infinity)) return () => undefined;
  const arm = (remaining: number) => {
    const step = Math.min(Math.max(remaining, 0), MAX_TIMER_DELAY_MS);
    timer = setTimeout(() => {
      timer = undefined;
      if (cancelled) return;
      if (remaining > step) arm(remaining - step);
      else callback();
    }, step);
  };
  arm(ms);
  return () => {
    cancelled = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}
