import { createFakeRuntime } from '@berth/container';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import { busyboxImage } from '@berth/image/testing';
import { describeIntegration, uniqueName } from '@berth/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ContainerCreateOptions, type Engine, createMemoryEngine } from '@berth/engine';
import { type BridgeEngineFixture, openBridgeEngine } from './support/linux-net-fixture.js';

describe('volumesFrom (memory engine)', () => {
  let engine: Engine;

  beforeEach(async () => {
    engine = await createMemoryEngine({ runtime: createFakeRuntime(), images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
  });
  afterEach(async () => {
    for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true });
    await engine.close();
  });

  it("gives the new container the source's volume and bind at the same destination, each in its own mode", async () => {
    const volume = uniqueName('vf');
    const a = await engine.containers.create({
      image: 'busybox',
      mounts: [
        { type: 'volume', source: volume, target: '/data' },
        { type: 'bind', source: '/tmp', target: '/host-tmp', readOnly: true },
      ],
    });
    const b = await engine.containers.create({ image: 'busybox', volumesFrom: [a.id] });
    const mounts = (await engine.containers.inspect(b.id)).mounts;
    expect(mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'volume', name: volume, destination: '/data', rw: true }),
        expect.objectContaining({ type: 'bind', source: '/tmp', destination: '/host-tmp', rw: false }),
      ]),
    );
    expect(mounts).toHaveLength(2);
  });

  it('`:ro` makes the inherited mounts read-only and `:rw` read-write', async () => {
    const volume = uniqueName('vf');
    const a = await engine.containers.create({
      name: uniqueName('vf-a'),
      image: 'busybox',
      mounts: [
        { type: 'volume', source: volume, target: '/data' },
        { type: 'bind', source: '/tmp', target: '/host-tmp', readOnly: true },
      ],
    });
    const name = (await engine.containers.inspect(a.id)).name;
    const ro = await engine.containers.create({ image: 'busybox', volumesFrom: [`${name}:ro`] });
    expect((await engine.containers.inspect(ro.id)).mounts.map((m) => [m.destination, m.rw])).toEqual([
      ['/data', false],
      ['/host-tmp', false],
    ]);
    const rw = await engine.containers.create({ image: 'busybox', volumesFrom: [`${name}:rw`] });
    expect((await engine.containers.inspect(rw.id)).mounts.map((m) => [m.destination, m.rw])).toEqual([
      ['/data', true],
      ['/host-tmp', true],
    ]);
  });

  it("keeps the new container's explicit mount at a destination the source also mounts", async () => {
    const inherited = uniqueName('vf-a');
    const own = uniqueName('vf-b');
    const a = await engine.containers.create({ image: 'busybox', mounts: [{ type: 'volume', source: inherited, target: '/data' }] });
    const b = await engine.containers.create({
      image: 'busybox',
      volumesFrom: [a.id],
      mounts: [{ type: 'volume', source: own, target: '/data' }],
    });
    expect((await engine.containers.inspect(b.id)).mounts).toEqual([expect.objectContaining({ name: own, destination: '/data' })]);
    // b does not use a's volume: it goes once a does.
    await engine.containers.remove(a.id);
    await engine.volumes.remove(inherited);
    await expect(engine.volumes.inspect(inherited)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps the volume in use while either container exists', async () => {
    const volume = uniqueName('vf');
    const a = await engine.containers.create({ image: 'busybox', mounts: [{ type: 'volume', source: volume, target: '/data' }] });
    const b = await engine.containers.create({ image: 'busybox', volumesFrom: [a.id] });
    await engine.containers.remove(a.id);
    await expect(engine.volumes.remove(volume)).rejects.toBeInstanceOf(ConflictError);
    await engine.containers.remove(b.id, { volumes: true });
    await engine.volumes.remove(volume);
    await expect(engine.volumes.inspect(volume)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('shares an anonymous volume without removing it with the borrower', async () => {
    const a = await engine.containers.create({ image: 'busybox', mounts: [{ type: 'volume', target: '/data' }] });
    const [anonymous] = (await engine.containers.inspect(a.id)).mounts;
    const b = await engine.containers.create({ image: 'busybox', volumesFrom: [a.id] });
    expect((await engine.containers.inspect(b.id)).mounts).toEqual([expect.objectContaining({ name: anonymous!.name, destination: '/data' })]);
    await engine.containers.remove(b.id, { volumes: true });
    expect((await engine.volumes.inspect(anonymous!.name!)).name).toBe(anonymous!.name);
  });

  it('rejects an unknown source container with NotFound and a bad mode with InvalidArgument', async () => {
    const missing = uniqueName('no-such');
    const creating = engine.containers.create({ image: 'busybox', volumesFrom: [missing] });
    await expect(creating).rejects.toBeInstanceOf(NotFoundError);
    await expect(creating).rejects.toThrow(`No such container: ${missing}`);
    const a = await engine.containers.create({ image: 'busybox' });
    await expect(engine.containers.create({ image: 'busybox', volumesFrom: [`${a.id}:rx`] })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await engine.containers.list({ all: true })).toHaveLength(1);
  });
});

describeIntegration('volumesFrom (linux engine, real containers)', { root: true, commands: ['runc', 'conmon', 'iptables', 'ip'] }, () => {
  let fixture: BridgeEngineFixture;
  let engine: Engine;
  let tag = '';

  /** Runs a container to its end; resolves with its exit code and output (stdout and stderr). */
  const runToEnd = async (options: Omit<ContainerCreateOptions, 'image'>): Promise<{ id: string; exitCode: number; output: string }> => {
    const { id } = await engine.containers.create({ image: 'busybox', networkMode: 'none', ...options });
    await engine.containers.start(id);
    const { statusCode } = await engine.containers.wait(id);
    let output = '';
    for await (const chunk of engine.containers.logs(id, { stdout: true, stderr: true })) output += chunk.data.toString('utf8');
    return { id, exitCode: statusCode, output };
  };

  beforeAll(async () => {
    fixture = await openBridgeEngine();
    ({ engine, tag } = fixture);
  }, 60_000);
  afterAll(async () => {
    await fixture?.dispose();
  }, 60_000);

  it("lets B read what A wrote to its volume, and refuses B's writes with `:ro`", async () => {
    const writer = await runToEnd({ cmd: ['sh', '-c', `echo from-a ${tag} > /data/note`], mounts: [{ type: 'volume', source: `vf-${tag}`, target: '/data' }] });
    expect(writer.exitCode).toBe(0);
    const reader = await runToEnd({ cmd: ['cat', '/data/note'], volumesFrom: [writer.id] });
    expect(reader).toMatchObject({ exitCode: 0, output: `from-a ${tag}\n` });
    const readOnly = await runToEnd({ cmd: ['sh', '-c', 'echo no > /data/other'], volumesFrom: [`${writer.id}:ro`] });
    expect(readOnly.exitCode).not.toBe(0);
    expect(readOnly.output).toMatch(/read-only/i);
    for (const id of [readOnly.id, reader.id, writer.id]) await engine.containers.remove(id);
  });
});
