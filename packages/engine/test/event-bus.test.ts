import { describe, expect, it } from 'vitest';
import { EventBus, type EngineEvent } from '@berth/engine';

const volume = (id: string, action: 'create' | 'destroy' = 'create') => ({ type: 'volume' as const, action, actor: { id, attributes: {} } });

async function drain(iterable: AsyncIterable<EngineEvent>): Promise<EngineEvent[]> {
  const events: EngineEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

describe('EventBus', () => {
  it('stamps events with increasing sequence numbers and the clock time', () => {
    const time = new Date('2026-01-01T00:00:00Z');
    const bus = new EventBus({ now: () => time });
    const a = bus.emit(volume('a'));
    const b = bus.emit(volume('b'));
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.time).toBe(time);
    expect(a.scope).toBe('local');
  });

  it('keeps only the last `capacity` events for replay', async () => {
    let now = 1000;
    const bus = new EventBus({ capacity: 3, now: () => new Date(now++) });
    for (const id of ['a', 'b', 'c', 'd', 'e']) bus.emit(volume(id));
    expect(bus.past().map((e) => e.actor.id)).toEqual(['c', 'd', 'e']);
    const replayed = await drain(bus.subscribe({ since: new Date(0), until: new Date(1) }));
    // `until` in the past: nothing replayed after it, and the stream ends.
    expect(replayed).toEqual([]);
    const all = await drain(bus.subscribe({ since: new Date(0), until: new Date(now - 1) }));
    expect(all.map((e) => e.actor.id)).toEqual(['c', 'd', 'e']);
  });

  it('delivers live events after the replay, without loss or duplicates, until aborted', async () => {
    const bus = new EventBus();
    bus.emit(volume('before'));
    const controller = new AbortController();
    const iterator = bus.subscribe({ since: new Date(0), signal: controller.signal });
    bus.emit(volume('after'));
    const first = await iterator.next();
    const second = await iterator.next();
    expect([first.value?.actor.id, second.value?.actor.id]).toEqual(['before', 'after']);
    const pending = iterator.next();
    controller.abort();
    expect((await pending).done).toBe(true);
  });

  it('applies filters to replayed and live events', async () => {
    const bus = new EventBus();
    bus.emit(volume('x', 'create'));
    bus.emit({ type: 'network', action: 'create', actor: { id: 'n1', attributes: { name: 'net' } } });
    const iterator = bus.subscribe({ since: new Date(0), filters: { type: ['network'] } });
    bus.emit(volume('y'));
    bus.emit({ type: 'network', action: 'destroy', actor: { id: 'n1', attributes: { name: 'net' } } });
    expect((await iterator.next()).value?.action).toBe('create');
    expect((await iterator.next()).value?.action).toBe('destroy');
    await iterator.return?.();
  });

  it('matches container events by name and image, and refuses unknown filter keys', async () => {
    const bus = new EventBus();
    bus.emit({ type: 'container', action: 'start', actor: { id: 'c'.repeat(64), attributes: { name: 'web', image: 'nginx' } } });
    bus.emit({ type: 'container', action: 'start', actor: { id: 'd'.repeat(64), attributes: { name: 'db', image: 'postgres' } } });
    const until = new Date(Date.now() + 1000);
    bus.close();
    const byName = await drain(bus.subscribe({ since: new Date(0), until, filters: { container: ['web'] } }));
    expect(byName.map((e) => e.actor.attributes.name)).toEqual(['web']);
    const byImage = await drain(bus.subscribe({ since: new Date(0), until, filters: { image: ['postgres'] } }));
    expect(byImage.map((e) => e.actor.attributes.name)).toEqual(['db']);
    const byPrefix = await drain(bus.subscribe({ since: new Date(0), until, filters: { container: ['ddd'] } }));
    expect(byPrefix.map((e) => e.actor.attributes.name)).toEqual(['db']);
    expect(() => bus.subscribe({ filters: { colour: ['red'] } })).toThrow(/invalid filter/);
  });

  it('ends open iterations when closed', async () => {
    const bus = new EventBus();
    const iterator = bus.subscribe();
    const pending = iterator.next();
    bus.close();
    expect((await pending).done).toBe(true);
  });
});
