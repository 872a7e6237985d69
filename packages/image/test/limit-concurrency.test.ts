import { describe, expect, it } from 'vitest';
import { limitConcurrency } from '@berth/image';

/** A promise with its resolve function, to finish tasks in a chosen order. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('limitConcurrency', () => {
  it('runs at most `limit` tasks at once and starts the waiting ones in order', async () => {
    const limit = limitConcurrency(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const results = gates.map((gate, i) =>
      limit(async () => {
        started.push(i);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running--;
        return i * 10;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(maxRunning).toBe(2);
  });

  it('frees the slot of a failed task and passes its error on', async () => {
    const limit = limitConcurrency(1);
    const failed = limit(async () => {
      throw new Error('task failed');
    });
    const next = limit(async () => 'ran');
    await expect(failed).rejects.toThrow('task failed');
    await expect(next).resolves.toBe('ran');
  });

  it('does not let a task that arrives while a slot is handed over exceed the limit', async () => {
    const limit = limitConcurrency(1);
    let running = 0;
    let maxRunning = 0;
    const task = (body: () => Promise<void>) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        await body();
      } finally {
        running--;
      }
    };
    const gate = deferred();
    const first = limit(task(() => gate.promise));
    const second = limit(task(settle)); // waits for first
    await settle();
    gate.resolve();
    // New tasks arriving a few microtasks later, one of them while first's slot passes to second.
    const late: Array<Promise<void>> = [];
    let tick = Promise.resolve();
    for (let depth = 0; depth < 6; depth++) {
      tick = tick.then(() => {
        late.push(limit(task(settle)));
      });
    }
    await Promise.all([first, second, tick]);
    await Promise.all(late);
    expect(late).toHaveLength(6);
    expect(maxRunning).toBe(1);
  });
});
