import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import type { EngineEvent } from '../events/event-types.js';
import { type EngineFactory, type EngineUnderTest, errorCodeOf, openEngine, uniqueSuiteName } from './engine-fixture.js';

async function collect(iterable: AsyncIterable<EngineEvent>): Promise<EngineEvent[]> {
  const events: EngineEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

/** The event stream: replay with since/until, filters, abort. */
export function describeEvents(factory: EngineFactory): void {
  describe('events', () => {
    let under: EngineUnderTest;
    let engine: Engine;
    beforeAll(async () => {
      under = await openEngine(factory);
      engine = under.engine;
    });
    afterAll(async () => {
      await under?.dispose?.();
    });

    it('replays past events between since and until, in order, then ends', async () => {
      const since = new Date(Date.now() - 1000);
      const first = uniqueSuiteName('suite-ev');
      const second = uniqueSuiteName('suite-ev');
      await engine.volumes.create({ name: first });
      await engine.volumes.create({ name: second });
      await engine.volumes.remove(first);
      await engine.volumes.remove(second);
      const until = new Date(Date.now() + 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const events = await collect(engine.events({ since, until, filters: { volume: [first, second] } }));
      expect(events.map((event) => [event.action, event.actor.id])).toEqual([
        ['create', first],
        ['create', second],
        ['destroy', first],
        ['destroy', second],
      ]);
      for (let i = 1; i < events.length; i += 1) {
        expect(events[i]!.time.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.time.getTime());
      }
    });

    it('filters by type and action', async () => {
      const since = new Date(Date.now() - 1000);
      const name = uniqueSuiteName('suite-ev');
      await engine.volumes.create({ name });
      await engine.volumes.remove(name);
      const until = new Date(Date.now() + 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const events = await collect(engine.events({ since, until, filters: { type: ['volume'], event: ['destroy'], volume: [name] } }));
      expect(events.map((event) => event.action)).toEqual(['destroy']);
      const none = await collect(engine.events({ since, until, filters: { type: ['network'], network: [name] } }));
      expect(none).toEqual([]);
    });

    it('ends a live stream when its signal aborts', async () => {
      const controller = new AbortController();
      const name = uniqueSuiteName('suite-ev');
      const events: EngineEvent[] = [];
      const reading = (async () => {
        for await (const event of engine.events({ filters: { volume: [name] }, signal: controller.signal })) {
          events.push(event);
          controller.abort();
        }
      })();
      await engine.volumes.create({ name });
      await reading;
      expect(events.map((event) => event.action)).toEqual(['create']);
      await engine.volumes.remove(name);
    });

    it('rejects unknown filter keys', async () => {
      const iterate = async () => {
        for await (const _ of engine.events({ filters: { colour: ['red'] }, until: new Date(0) })) break;
      };
      expect(await errorCodeOf(iterate())).toBe('InvalidArgument');
    });
  });
}
