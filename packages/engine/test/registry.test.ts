import { busyboxImage } from '@berth/image/testing';
import { startMemoryRegistry } from '@berth/registry-client/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryEngine, type EngineEvent } from '@berth/engine';

describe('images.push and images.pull through a registry', () => {
  it('pushes an image from one engine and pulls it into another with the same ID, reporting progress and events', async () => {
    await using server = await startMemoryRegistry();
    await using source = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
    await using target = await createMemoryEngine();
    const reference = `${server.host}/suite/busybox:1`;
    const { id } = await source.images.inspect('busybox');
    await source.images.tag('busybox', reference);

    const seen: EngineEvent[] = [];
    const controller = new AbortController();
    const watching = (async () => {
      for await (const event of source.events({ signal: controller.signal, filters: { event: ['push'] } })) {
        seen.push(event);
        controller.abort();
      }
    })();
    const push = source.images.push(reference);
    const pushEvents = [];
    for await (const event of push.progress) pushEvents.push(event.type);
    const pushed = await push.done;
    await watching;
    expect(pushed.digest).toMatch(/^sha256:/);
    expect(pushEvents).toContain('manifest');
    expect(seen.map((event) => [event.action, event.actor.id])).toEqual([['push', reference]]);

    const pull = target.images.pull(reference);
    const kinds = new Set<string>();
    for await (const event of pull.progress) kinds.add(event.type);
    const pulled = await pull.done;
    expect(pulled.id).toBe(id);
    expect(kinds.has('resolved')).toBe(true);
    expect((await target.images.inspect(reference)).repoTags).toEqual([reference]);
    const past: EngineEvent[] = [];
    for await (const event of target.events({ since: new Date(0), until: new Date(Date.now() + 1), filters: { type: ['image'] } })) past.push(event);
    expect(past.map((event) => event.action)).toEqual(['pull']);

    // The pulled image runs: the pull unpacked it.
    const { id: container } = await target.containers.create({ image: reference, cmd: ['true'] });
    await target.containers.start(container);
    expect((await target.containers.wait(container)).statusCode).toBe(0);
  });

  it('reports a missing repository as NotFound', async () => {
    await using server = await startMemoryRegistry();
    await using engine = await createMemoryEngine();
    await expect(engine.images.pull(`${server.host}/nothing/here:1`).done).rejects.toMatchObject({ code: 'NotFound' });
  });
});
