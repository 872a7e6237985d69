import { describe, expect, it } from 'vitest';
import { sleep, systemClock } from '../src/clock/clock.js';
import { createManualClock } from '../src/clock/manual-clock.js';

describe('manual clock', () => {
  it('fires timers in order at their time, including timers set by timers', async () => {
    const clock = createManualClock(new Date('2024-01-01T00:00:00Z'));
    const fired: string[] = [];
    clock.setTimer(200, () => fired.push(`b@${clock.now().getTime() % 100000}`));
    clock.setTimer(100, () => {
      fired.push(`a@${clock.now().getTime() % 100000}`);
      clock.setTimer(50, () => fired.push(`c@${clock.now().getTime() % 100000}`));
    });
    const cancel = clock.setTimer(120, () => fired.push('cancelled'));
    cancel();
    expect(clock.pendingTimers()).toBe(2);
    await clock.advance(1000);
    expect(fired).toEqual(['a@100', 'c@150', 'b@200']);
    expect(clock.now()).toEqual(new Date('2024-01-01T00:00:01Z'));
  });

  it('sleep waits on the clock and can be aborted', async () => {
    const clock = createManualClock();
    let done = false;
    const slept = sleep(clock, 500).then(() => (done = true));
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    await slept;
    expect(done).toBe(true);
    const controller = new AbortController();
    const aborted = sleep(clock, 500, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
    await expect(sleep(systemClock, 1, { signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow('early');
  });
});
