import { createFakeRuntime } from '@berth/container';
import { UnavailableError } from '@berth/errdefs';
import { busyboxImage } from '@berth/image/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Engine, type EngineEvent, createMemoryEngine } from '@berth/engine';

/** Collects events until one matches. */
async function eventsUntil(engine: Engine, filters: Record<string, string[]>, done: (event: EngineEvent) => boolean, act: () => Promise<void>): Promise<EngineEvent[]> {
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  const reading = (async () => {
    for await (const event of engine.events({ filters, signal: controller.signal })) {
      events.push(event);
      if (done(event)) controller.abort();
    }
  })();
  await act();
  await reading;
  return events;
}

describe('createMemoryEngine (behaviour only the fake runtime can provoke)', () => {
  const runtime = createFakeRuntime();
  let engine: Engine;

  beforeEach(async () => {
    engine = await createMemoryEngine({ runtime, images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
  });
  afterEach(async () => {
    for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true });
    await engine.close();
  });

  it('seeds images given to the factory', async () => {
    expect((await engine.images.list()).flatMap((image) => image.repoTags)).toEqual(['busybox:latest']);
    expect((await engine.system.info()).engineKind).toBe('memory');
  });

  it('reports an OOM kill: events oom then die 137, state oomKilled', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
    await engine.containers.start(id);
    const events = await eventsUntil(engine, { container: [id] }, (e) => e.action === 'die', async () => runtime.triggerOom(id));
    expect(events.map((event) => event.action)).toEqual(['oom', 'die']);
    expect(events[1]!.actor.attributes.exitCode).toBe('137');
    const state = (await engine.containers.inspect(id)).state;
    expect(state).toMatchObject({ status: 'exited', exitCode: 137, oomKilled: true });
  });

  it('brings an `always` container back after it dies, but not after a user stop', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], restartPolicy: { name: 'always' } });
    await engine.containers.start(id);
    const events = await eventsUntil(engine, { container: [id], event: ['die', 'start'] }, (e) => e.action === 'start', () => runtime.kill(id, 'SIGKILL'));
    expect(events.map((event) => event.action)).toEqual(['die', 'start']);
    const inspected = await engine.containers.inspect(id);
    expect(inspected.state.status).toBe('running');
    expect(inspected.restartCount).toBe(1);
    await engine.containers.stop(id, { timeout: 0 });
    expect((await engine.containers.inspect(id)).state.status).toBe('exited');
  });

  it('leaves a container as it was when the runtime fails to start it, and can start it afterwards', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
    runtime.failNext('start', new UnavailableError('injected start failure'));
    await expect(engine.containers.start(id)).rejects.toThrow(/injected start failure/);
    const failed = await engine.containers.inspect(id);
    expect(failed.state.status).toBe('created');
    expect(failed.state.error).toMatch(/injected start failure/);
    await engine.containers.start(id);
    expect((await engine.containers.inspect(id)).state).toMatchObject({ status: 'running', error: '' });
  });

  it('gives the container a runtime spec with its process, hostname and mounts', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], env: ['A=1'], hostname: 'box' });
    await engine.containers.start(id);
    const spec = runtime.specOf(id);
    expect(spec.process?.args).toEqual(['sleep', '1000']);
    expect(spec.process?.env).toContain('A=1');
    expect(spec.hostname).toBe('box');
    expect(spec.mounts?.map((m) => m.destination)).toEqual(expect.arrayContaining(['/etc/hosts', '/etc/resolv.conf', '/etc/hostname']));
  });

  it('acts on an unhealthy container per its healthOnFailure: kill', async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      cmd: ['sleep', '1000'],
      healthcheck: { test: ['CMD', 'false'], intervalNs: 20e6, retries: 1 },
      healthOnFailure: 'kill',
    });
    const events = await eventsUntil(engine, { container: [id] }, (e) => e.action === 'die', () => engine.containers.start(id));
    expect(events.map((event) => event.action)).toEqual(['start', 'health_status', 'kill', 'die']);
    expect(events[1]!.actor.attributes.healthStatus).toBe('unhealthy');
    const inspected = await engine.containers.inspect(id);
    expect(inspected.state).toMatchObject({ status: 'exited', exitCode: 137 });
    expect(inspected.state.health?.status).toBe('unhealthy');
  });

  it('acts on an unhealthy container per its healthOnFailure: restart', async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      cmd: ['sleep', '1000'],
      healthcheck: { test: ['CMD', 'false'], intervalNs: 20e6, retries: 1 },
      healthOnFailure: 'restart',
      stopTimeout: 0,
    });
    const events = await eventsUntil(engine, { container: [id] }, (e) => e.action === 'restart', () => engine.containers.start(id));
    expect(events.map((event) => event.action).filter((a) => a !== 'kill')).toEqual(['start', 'health_status', 'die', 'stop', 'start', 'restart']);
    expect((await engine.containers.inspect(id)).state.status).toBe('running');
    await engine.containers.kill(id);
  });

  it('refuses autoRemove together with a restart policy', async () => {
    await expect(engine.containers.create({ image: 'busybox', autoRemove: true, restartPolicy: { name: 'always' } })).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('prunes unused image layers from the snapshotter along with the images', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['true'] });
    await engine.containers.remove(id);
    await engine.images.remove('busybox');
    const report = await engine.images.prune();
    expect(report.spaceReclaimed).toBeGreaterThan(0);
    expect((await engine.system.df()).layersSize).toBe(0);
  });
});

describe('a closed engine', () => {
  it('refuses every operation with FailedPrecondition instead of hanging', async () => {
    const engine = await createMemoryEngine();
    await engine.close();
    await engine.close();
    await expect(engine.containers.list()).rejects.toMatchObject({ code: 'FailedPrecondition' });
    await expect(engine.volumes.create({ name: 'late' })).rejects.toMatchObject({ code: 'FailedPrecondition' });
    await expect(engine.images.pull('busybox').done).rejects.toMatchObject({ code: 'FailedPrecondition' });
    const iterate = async () => {
      for await (const _ of engine.containers.logs('x')) break;
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'FailedPrecondition' });
    const events = [];
    for await (const event of engine.events()) events.push(event);
    expect(events).toEqual([]);
  });
});
