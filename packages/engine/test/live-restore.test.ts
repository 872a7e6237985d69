import { createFakeRuntime } from '@berth/container';
import { createMemoryDriver, createHostDriver, createNoneDriver } from '@berth/network';
import { RecordingHostNet } from '@berth/network/testing';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Engine, createEngine } from '@berth/engine';
import { join } from 'node:path';

describe('createEngine on one data root, reopened (live restore with the fake runtime)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  const runtime = createFakeRuntime();
  const engines: Engine[] = [];

  const open = async () => {
    const engine = await createEngine({
      dataRoot: join(dir.path, 'data'),
      stateRoot: join(dir.path, 'state'),
      runtime,
      snapshotter: 'copy',
      hostNet: new RecordingHostNet(),
      networkDrivers: [createMemoryDriver({ type: 'bridge' }), createHostDriver(), createNoneDriver()],
    });
    engines.push(engine);
    return engine;
  };

  beforeEach(async () => {
    dir = await makeTempDir('berth-engine-restore');
  });
  afterEach(async () => {
    // Only the last engine is open; the earlier ones were closed by the tests.
    const last = engines.splice(0).pop();
    if (last) {
      for (const c of await last.containers.list({ all: true })) await last.containers.remove(c.id, { force: true });
      await last.close();
    }
    await dir.remove();
  });

  it('keeps images, volumes, networks and containers across a reopen', async () => {
    const first = await open();
    const archive = join(dir.path, 'busybox.tar');
    await writeDockerArchive(archive, [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
    const { images } = await first.images.load(archive);
    await first.volumes.create({ name: 'kept', labels: { a: 'b' } });
    const network = await first.networks.create({ name: 'kept-net' });
    const { id } = await first.containers.create({ image: 'busybox', name: 'kept-container', cmd: ['true'] });
    await first.close();

    const second = await open();
    expect((await second.images.inspect('busybox')).id).toBe(images[0]!.id);
    expect((await second.volumes.inspect('kept')).labels).toEqual({ a: 'b' });
    expect((await second.networks.inspect('kept-net')).id).toBe(network.id);
    const container = await second.containers.inspect('kept-container');
    expect(container.id).toBe(id);
    expect(container.state.status).toBe('created');
    expect(await second.volumes.remove('kept').then(() => 'removed')).toBe('removed');
  });

  it('adopts containers still running, marks dead ones exited, and restarts those whose policy says so', async () => {
    const first = await open();
    const archive = join(dir.path, 'busybox.tar');
    await writeDockerArchive(archive, [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
    await first.images.load(archive);
    const alive = (await first.containers.create({ image: 'busybox', name: 'alive', cmd: ['sleep', '1000'] })).id;
    const dead = (await first.containers.create({ image: 'busybox', name: 'dead', cmd: ['sleep', '1000'] })).id;
    const always = (await first.containers.create({ image: 'busybox', name: 'always', cmd: ['sleep', '1000'], restartPolicy: { name: 'always' } })).id;
    for (const id of [alive, dead, always]) await first.containers.start(id);
    const alivePid = (await first.containers.inspect(alive)).state.pid;
    await first.close();

    // While no engine watches, two processes die.
    await runtime.kill(dead, 'SIGKILL');
    await runtime.kill(always, 'SIGKILL');
    await runtime.wait(dead);
    await runtime.wait(always);

    const second = await open();
    const adopted = await second.containers.inspect(alive);
    expect(adopted.state.status).toBe('running');
    expect(adopted.state.pid).toBe(alivePid);
    const marked = await second.containers.inspect(dead);
    expect(marked.state.status).toBe('exited');
    expect(marked.state.exitCode).toBe(137);
    expect((await second.containers.inspect(always)).state.status).toBe('running');

    // The adopted container's exit is watched again: a stop completes and is recorded.
    await second.containers.kill(alive);
    expect((await second.containers.wait(alive)).statusCode).toBe(137);
    expect((await second.containers.inspect(alive)).state.status).toBe('exited');
  });
});
