import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, setLongTimeout } from '../src/internal/long-timeout.js';

describe('setLongTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires after a delay longer than setTimeout takes, not before', () => {
    const fired = vi.fn();
    const delay = 3 * MAX_TIMER_DELAY_MS + 5_000;
    setLongTimeout(fired, delay);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(delay - 2);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10 * MAX_TIMER_DELAY_MS);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('fires a short delay like setTimeout, and at once for 0 or a negative one', () => {
    const short = vi.fn();
    const now = vi.fn();
    setLongTimeout(short, 1_000);
    setLongTimeout(now, -5);
    vi.advanceTimersByTime(0);
    expect(now).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(999);
    expect(short).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(short).toHaveBeenCalledTimes(1);
  });

  it('never fires for Infinity, and not once cancelled (also between re-arms)', () => {
    const never = vi.fn();
    const cancelled = vi.fn();
    setLongTimeout(never, Infinity);
    const cancel = setLongTimeout(cancelled, 2 * MAX_TIMER_DELAY_MS);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS + 1);
    cancel();
    cancel();
    vi.advanceTimersByTime(5 * MAX_TIMER_DELAY_MS);
    expect(never).not.toHaveBeenCalled();
    expect(cancelled).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
