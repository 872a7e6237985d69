import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { tarOf } from '@berth/image/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import type { ContainerCreateOptions } from '../containers/container-types.js';
import { BusyboxArchive, type EngineFactory, type EngineUnderTest, errorCodeOf, openEngine, recordEvents, uniqueSuiteName } from './engine-fixture.js';

/** docker answers state conflicts with 409, which engines report as `Conflict` or `FailedPrecondition`. */
const conflict409 = ['Conflict', 'FailedPrecondition'];

async function text(iterable: AsyncIterable<{ stream: string; data: Buffer }>, stream?: 'stdout' | 'stderr'): Promise<string> {
  let result = '';
  for await (const chunk of iterable) if (!stream || chunk.stream === stream) result += chunk.data.toString('utf8');
  return result;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Containers: lifecycle, states, exit codes, names, waits, logs, exec, filters, restart policies, files, commit. */
export function describeContainers(factory: EngineFactory): void {
  describe('containers', () => {
    let under: EngineUnderTest;
    let engine: Engine;
    let image: string;
    let imageId: string;
    const busybox = new BusyboxArchive();
    const made: string[] = [];

    const create = async (options: Omit<ContainerCreateOptions, 'image'> & { image?: string } = {}) => {
      const { id } = await engine.containers.create({ image, ...options });
      made.push(id);
      return id;
    };

    beforeAll(async () => {
      under = await openEngine(factory);
      engine = under.engine;
      image = `${uniqueSuiteName('suite-busybox')}:latest`;
      imageId = await busybox.load(engine, image);
    });
    afterEach(async () => {
      for (const id of made.splice(0)) await engine.containers.remove(id, { force: true, volumes: true }).catch(() => undefined);
    });
    afterAll(async () => {
      await engine?.images.remove(imageId, { force: true }).catch(() => undefined);
      await busybox.dispose();
      await under?.dispose?.();
    });

    it('creates a container with a generated adjective_surname name, in state created', async () => {
      const id = await create({ cmd: ['true'] });
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      const inspected = await engine.containers.inspect(id);
      expect(inspected.name).toMatch(/^[a-z]+_[a-z]+\d?$/);
      expect(inspected.state.status).toBe('created');
      expect(inspected.image).toBe(imageId);
      expect(inspected.path).toBe('true');
      expect((await engine.containers.inspect(inspected.name)).id).toBe(id);
      expect((await engine.containers.inspect(id.slice(0, 12))).id).toBe(id);
      expect((await engine.containers.list()).map((c) => c.id)).not.toContain(id);
      expect((await engine.containers.list({ all: true })).map((c) => c.id)).toContain(id);
    });

    it('refuses a taken name (Conflict), an invalid name (InvalidArgument) and a missing image (NotFound)', async () => {
      const name = uniqueSuiteName('suite-c');
      await create({ name, cmd: ['true'] });
      expect(await errorCodeOf(engine.containers.create({ image, name, cmd: ['true'] }))).toBe('Conflict');
      expect(await errorCodeOf(engine.containers.create({ image, name: 'bad name!', cmd: ['true'] }))).toBe('InvalidArgument');
      expect(await errorCodeOf(engine.containers.create({ image: `${uniqueSuiteName('suite-none')}:x`, cmd: ['true'] }))).toBe('NotFound');
      expect(await errorCodeOf(engine.containers.inspect(uniqueSuiteName('suite-none')))).toBe('NotFound');
    });

    it('runs a command to its exit code; events create, start, die', async () => {
      const name = uniqueSuiteName('suite-c');
      const recorder = recordEvents(engine, { type: ['container'], container: [name] });
      const id = await create({ name, cmd: ['sh', '-c', 'exit 3'] });
      const waiting = engine.containers.wait(id, { condition: 'next-exit' });
      await engine.containers.start(id);
      expect(await waiting).toMatchObject({ statusCode: 3 });
      const inspected = await engine.containers.inspect(id);
      expect(inspected.state.status).toBe('exited');
      expect(inspected.state.exitCode).toBe(3);
      expect(inspected.state.finishedAt).toBeInstanceOf(Date);
      const events = await recorder.until((event) => event.action === 'die');
      recorder.stop();
      expect(events.map((event) => event.action)).toEqual(['create', 'start', 'die']);
      expect(events[2]!.actor.attributes.exitCode).toBe('3');
      expect(events[0]!.actor.attributes.name).toBe(name);
      expect(events[0]!.actor.attributes.image).toBe(image);
    });

    it('keeps stdout and stderr apart in the logs', async () => {
      const id = await create({ cmd: ['sh', '-c', 'echo out; echo err >&2'] });
      await engine.containers.start(id);
      await engine.containers.wait(id);
      expect(await text(engine.containers.logs(id, { stdout: true, stderr: false }))).toBe('out\n');
      expect(await text(engine.containers.logs(id, { stdout: false, stderr: true }))).toBe('err\n');
      expect(await text(engine.containers.logs(id, { tail: 1 }))).toMatch(/^(out|err)\n$/);
    });

    it('stops a container that ignores SIGTERM with SIGKILL after the timeout; events kill, kill, die, stop', async () => {
      const name = uniqueSuiteName('suite-c');
      const id = await create({ name, cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      expect((await engine.containers.inspect(id)).state.status).toBe('running');
      expect((await engine.containers.list()).map((c) => c.id)).toContain(id);
      const recorder = recordEvents(engine, { type: ['container'], container: [id] });
      await engine.containers.stop(id, { timeout: 1 });
      const inspected = await engine.containers.inspect(id);
      expect(inspected.state.status).toBe('exited');
      expect(inspected.state.exitCode).toBe(137);
      const events = await recorder.until((event) => event.action === 'stop');
      recorder.stop();
      expect(events.map((event) => [event.action, event.actor.attributes.signal])).toEqual([
        ['kill', '15'],
        ['kill', '9'],
        ['die', undefined],
        ['stop', undefined],
      ]);
      // Stopping a stopped container does nothing (docker's 304).
      await engine.containers.stop(id);
    });

    it('kills a running container; killing a stopped one is a 409', async () => {
      const id = await create({ cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      await engine.containers.kill(id);
      expect((await engine.containers.wait(id)).statusCode).toBe(137);
      expect(conflict409).toContain(await errorCodeOf(engine.containers.kill(id)));
    });

    it('pauses and unpauses; a running container is removed only with force', async () => {
      const id = await create({ cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      await engine.containers.pause(id);
      expect((await engine.containers.inspect(id)).state.status).toBe('paused');
      expect(conflict409).toContain(await errorCodeOf(engine.containers.start(id)));
      await engine.containers.unpause(id);
      expect((await engine.containers.inspect(id)).state.status).toBe('running');
      expect(conflict409).toContain(await errorCodeOf(engine.containers.remove(id)));
      const removed = engine.containers.wait(id, { condition: 'removed' });
      await engine.containers.remove(id, { force: true });
      await removed;
      expect(await errorCodeOf(engine.containers.inspect(id))).toBe('NotFound');
    });

    it('restarts a running container', async () => {
      const id = await create({ cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      const firstStart = (await engine.containers.inspect(id)).state.startedAt!;
      const recorder = recordEvents(engine, { type: ['container'], container: [id] });
      await engine.containers.restart(id, { timeout: 0 });
      const inspected = await engine.containers.inspect(id);
      expect(inspected.state.status).toBe('running');
      expect(inspected.state.startedAt!.getTime()).toBeGreaterThanOrEqual(firstStart.getTime());
      const events = await recorder.until((event) => event.action === 'restart');
      recorder.stop();
      expect(events.map((event) => event.action).filter((a) => a !== 'kill')).toEqual(['die', 'stop', 'start', 'restart']);
    });

    it('runs execs in a running container and reports their exit', async () => {
      const id = await create({ cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      const exec = await engine.containers.exec(id, { cmd: ['sh', '-c', 'echo hi; exit 4'] });
      const session = await engine.containers.execStart(exec.id);
      expect(await text(session.output)).toBe('hi\n');
      expect(await session.exit).toBe(4);
      const inspected = await engine.containers.execInspect(exec.id);
      expect(inspected).toMatchObject({ running: false, exitCode: 4, containerId: id });
      await engine.containers.kill(id);
      await engine.containers.wait(id);
      expect(conflict409).toContain(await errorCodeOf(engine.containers.exec(id, { cmd: ['true'] })));
      expect(await errorCodeOf(engine.containers.execInspect('0'.repeat(64)))).toBe('NotFound');
    });

    it('runs an exec with a terminal: one raw stream with CR LF line endings, and its exit code', async () => {
      const id = await create({ cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      const exec = await engine.containers.exec(id, { cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], tty: true });
      const session = await engine.containers.execStart(exec.id);
      const streams = new Set<string>();
      let output = '';
      for await (const chunk of session.output) {
        streams.add(chunk.stream);
        output += chunk.data.toString('utf8');
      }
      expect([...streams]).toEqual(['stdout']);
      expect(output).toBe('out\r\nerr\r\n');
      expect(await session.exit).toBe(3);
      expect(await engine.containers.execInspect(exec.id)).toMatchObject({ running: false, exitCode: 3 });
    });

    it('feeds stdin to an exec’s terminal and resizes it', async (context) => {
      if (!engine.containers.execResize) return context.skip();
      const id = await create({ cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      const exec = await engine.containers.exec(id, { cmd: ['sh', '-c', 'read line; stty size'], tty: true, attachStdin: true });
      const stdin = new PassThrough();
      const session = await engine.containers.execStart(exec.id, { stdin });
      await engine.containers.execResize(exec.id, { width: 100, height: 40 });
      stdin.write('go\n');
      // The terminal echoes the line, then the shell reads it and prints the new size.
      expect(await text(session.output)).toBe('go\r\n40 100\r\n');
      expect(await session.exit).toBe(0);
      stdin.end();
    });

    it('ends an exec of a missing program at once, recorded with exit code 126', async () => {
      const id = await create({ cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      const exec = await engine.containers.exec(id, { cmd: ['no-such-program'] });
      // In process the start rejects; over the Docker API the stream carries the reason, then ends.
      await engine.containers.execStart(exec.id).then(
        async (session) => {
          await text(session.output);
          await session.exit.catch(() => undefined);
        },
        () => undefined,
      );
      expect(await engine.containers.execInspect(exec.id)).toMatchObject({ running: false, exitCode: 126 });
      expect((await engine.containers.inspect(id)).state.status).toBe('running');
    });

    it('follows the logs since the end of the previous run without replaying it', async () => {
      const id = await create({ cmd: ['sh', '-c', 'echo run'] });
      await engine.containers.start(id);
      await engine.containers.wait(id);
      const previousEnd = (await engine.containers.inspect(id)).state.finishedAt!;
      await engine.containers.start(id);
      expect(await text(engine.containers.logs(id, { follow: true, since: previousEnd }))).toBe('run\n');
      expect(await text(engine.containers.logs(id))).toBe('run\nrun\n');
    });

    it('attaches with the log replayed first, then the live output, each line once', async () => {
      const id = await create({ cmd: ['sh', '-c', 'echo one; read line; echo two'], openStdin: true });
      await engine.containers.start(id);
      const session = await engine.containers.attach(id, { stdin: true, stdout: true, stderr: true, logs: true });
      // Not ended: dockerd ends the output of a (not stdin-once) attach when its stdin ends.
      session.stdin!.write('go\n');
      // All of the output exists before it is read: the replayed log and the live stream overlap.
      expect((await engine.containers.wait(id)).statusCode).toBe(0);
      expect(await text(session.output)).toBe('one\ntwo\n');
      await session.detach();
    });

    it('attaches to a created or exited container: connected at its next start, as docker start -a', async () => {
      const id = await create({ cmd: ['sh', '-c', 'echo one; read line; echo two'], openStdin: true });
      for (const state of ['created', 'exited']) {
        expect((await engine.containers.inspect(id)).state.status).toBe(state);
        const session = await engine.containers.attach(id, { stdin: true, stdout: true, stderr: true });
        const output = text(session.output);
        await engine.containers.start(id);
        session.stdin!.write('go\n');
        expect(await output).toBe('one\ntwo\n');
        expect((await engine.containers.wait(id)).statusCode).toBe(0);
        await session.detach();
      }
    });

    it('waits for removal, and removes an exited autoRemove container by itself', async () => {
      const id = await create({ cmd: ['true'], autoRemove: true });
      const removed = engine.containers.wait(id, { condition: 'removed' });
      await engine.containers.start(id);
      expect((await removed).statusCode).toBe(0);
      expect(await errorCodeOf(engine.containers.inspect(id))).toBe('NotFound');
    });

    it('renames, refusing a taken name', async () => {
      const a = uniqueSuiteName('suite-c');
      const b = uniqueSuiteName('suite-c');
      const id = await create({ name: a, cmd: ['true'] });
      await create({ name: b, cmd: ['true'] });
      expect(await errorCodeOf(engine.containers.rename(id, b))).toBe('Conflict');
      const renamed = uniqueSuiteName('suite-c');
      await engine.containers.rename(id, renamed);
      expect((await engine.containers.inspect(renamed)).id).toBe(id);
      expect(await errorCodeOf(engine.containers.inspect(a))).toBe('NotFound');
    });

    it('filters the list by label, name, status, exit code and ancestor', async () => {
      const label = uniqueSuiteName('suite-label');
      const ok = await create({ name: uniqueSuiteName('suite-ok'), cmd: ['true'], labels: { [label]: 'ok' } });
      const failed = await create({ name: uniqueSuiteName('suite-failed'), cmd: ['sh', '-c', 'exit 2'], labels: { [label]: 'failed' } });
      const idle = await create({ cmd: ['true'], labels: { [label]: 'idle' } });
      for (const id of [ok, failed]) {
        await engine.containers.start(id);
        await engine.containers.wait(id);
      }
      const ids = async (filters: Record<string, string[]>) => (await engine.containers.list({ all: true, filters: { label: [label], ...filters } })).map((c) => c.id).sort();
      expect(await ids({})).toEqual([ok, failed, idle].sort());
      expect(await ids({ label: [`${label}=failed`] })).toEqual([failed]);
      expect(await ids({ status: ['created'] })).toEqual([idle]);
      expect(await ids({ status: ['exited'] })).toEqual([ok, failed].sort());
      expect(await ids({ exited: ['2'] })).toEqual([failed]);
      expect(await ids({ ancestor: [image] })).toEqual([ok, failed, idle].sort());
      const failedName = (await engine.containers.inspect(failed)).name;
      expect(await ids({ name: [failedName] })).toEqual([failed]);
      expect(await errorCodeOf(engine.containers.list({ filters: { colour: ['red'] } }))).toBe('InvalidArgument');
    });

    it('restarts on failure up to the retry limit', async () => {
      const id = await create({ cmd: ['sh', '-c', 'exit 1'], restartPolicy: { name: 'on-failure', maximumRetryCount: 2 } });
      const recorder = recordEvents(engine, { type: ['container'], container: [id], event: ['die'] });
      await engine.containers.start(id);
      const dies = await recorder.until((_event) => recorder.events.filter((e) => e.action === 'die').length >= 3);
      recorder.stop();
      expect(dies.filter((event) => event.action === 'die')).toHaveLength(3);
      await engine.containers.wait(id);
      const inspected = await engine.containers.inspect(id);
      expect(inspected.state.status).toBe('exited');
      expect(inspected.state.exitCode).toBe(1);
      expect(inspected.restartCount).toBe(2);
    });

    it('copies files in and out, and commits the changes as a new image', async () => {
      const id = await create({ cmd: ['true'] });
      const archive = tarOf([{ type: 'file', path: 'hello.txt', content: 'hello from the suite\n' }]);
      await engine.containers.putArchive(id, '/tmp', archive());
      const stat = await engine.containers.statPath(id, '/tmp/hello.txt');
      expect(stat.size).toBe('hello from the suite\n'.length);
      const copied = await engine.containers.getArchive(id, '/tmp/hello.txt');
      expect((await readAll(copied.archive)).includes(Buffer.from('hello from the suite'))).toBe(true);
      expect(await errorCodeOf(engine.containers.statPath(id, '/no/such/file'))).toBe('NotFound');
      const changes = await engine.containers.changes(id);
      expect(changes).toContainEqual({ path: '/tmp/hello.txt', kind: 'A' });

      const repo = `${uniqueSuiteName('suite-commit')}:v1`;
      const committed = await engine.containers.commit(id, { reference: repo, changes: { Cmd: ['cat', '/tmp/hello.txt'] } });
      const inspected = await engine.images.inspect(repo);
      expect(inspected.id).toBe(committed.id);
      expect(inspected.rootFs.layers).toHaveLength(2);
      expect(inspected.config.Cmd).toEqual(['cat', '/tmp/hello.txt']);
      const child = await create({ image: repo });
      const fromImage = await engine.containers.getArchive(child, '/tmp/hello.txt');
      expect((await readAll(fromImage.archive)).includes(Buffer.from('hello from the suite'))).toBe(true);
      await engine.containers.remove(child);
      made.splice(made.indexOf(child), 1);
      await engine.images.remove(repo);
    });

    it('measures the writable layer and the whole root file system only when asked (size)', async () => {
      const id = await create({ cmd: ['true'] });
      const mib = 1 << 20;
      // Random bytes: a file system that compresses cannot make the layer smaller than the file.
      const archive = tarOf([{ type: 'file', path: 'one-mib.bin', content: randomBytes(mib) }]);
      await engine.containers.putArchive(id, '/tmp', archive());
      const imageSize = (await engine.images.inspect(imageId)).size;
      expect(imageSize).toBeGreaterThan(0);

      const inspected = await engine.containers.inspect(id, { size: true });
      expect(inspected.sizeRw).toBeGreaterThanOrEqual(mib);
      // docker's SizeRootFs: the image's layers plus the writable layer.
      expect(inspected.sizeRootFs).toBe(inspected.sizeRw! + imageSize);
      const listed = await engine.containers.list({ all: true, size: true, filters: { id: [id] } });
      expect(listed).toHaveLength(1);
      expect(listed[0]!.sizeRw).toBeGreaterThanOrEqual(mib);
      expect(listed[0]!.sizeRootFs).toBe(listed[0]!.sizeRw! + imageSize);

      const plain = await engine.containers.inspect(id);
      expect(plain.sizeRw).toBeUndefined();
      expect(plain.sizeRootFs).toBeUndefined();
      const [summary] = await engine.containers.list({ all: true, filters: { id: [id] } });
      expect(summary!.sizeRw).toBeUndefined();
      expect(summary!.sizeRootFs).toBeUndefined();
    });

    it('copies into and out of a running container without showing it paused; a paused one stays paused', async () => {
      const id = await create({ cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      const recorder = recordEvents(engine, { type: ['container'], container: [id] });
      const archive = tarOf([{ type: 'file', path: 'running.txt', content: 'copied while running\n' }]);
      await engine.containers.putArchive(id, '/tmp', archive());
      expect((await engine.containers.statPath(id, '/tmp/running.txt')).size).toBe('copied while running\n'.length);
      const copied = await engine.containers.getArchive(id, '/tmp/running.txt');
      expect((await readAll(copied.archive)).includes(Buffer.from('copied while running'))).toBe(true);
      expect((await engine.containers.inspect(id)).state.status).toBe('running');
      await engine.containers.pause(id);
      await engine.containers.putArchive(id, '/tmp', archive());
      expect((await readAll((await engine.containers.getArchive(id, '/tmp/running.txt')).archive)).length).toBeGreaterThan(0);
      expect((await engine.containers.inspect(id)).state.status).toBe('paused');
      await engine.containers.unpause(id);
      await engine.containers.kill(id);
      const events = await recorder.until((event) => event.action === 'die');
      recorder.stop();
      // Only the user's pause shows: a copy never pauses or unpauses the container visibly.
      expect(events.map((event) => event.action).filter((action) => action === 'pause' || action === 'unpause')).toEqual(['pause', 'unpause']);
    });

    it('force-removes a container whose process is exiting just then (its stdin-once stdin closed)', async () => {
      for (let round = 0; round < 6; round += 1) {
        const id = await create({ cmd: ['cat'], openStdin: true, stdinOnce: true });
        await engine.containers.start(id);
        const session = await engine.containers.attach(id, { stdin: true, stdout: true, stderr: true });
        session.stdin!.end();
        await engine.containers.remove(id, { force: true });
        made.splice(made.indexOf(id), 1);
        expect(await errorCodeOf(engine.containers.inspect(id))).toBe('NotFound');
        await session.detach();
      }
    });

    it('applies docker\'s image removal conflicts for images used by containers', async () => {
      const repo = `${uniqueSuiteName('suite-used')}:latest`;
      const usedId = await busybox.load(engine, repo);
      const id = await create({ image: repo, cmd: ['sleep', '1000'] });
      expect(await errorCodeOf(engine.images.remove(repo))).toBe('Conflict');
      await engine.containers.start(id);
      expect(await errorCodeOf(engine.images.remove(usedId, { force: true }))).toBe('Conflict');
      await engine.containers.remove(id, { force: true });
      made.splice(made.indexOf(id), 1);
      await engine.images.remove(repo);
      expect(await errorCodeOf(engine.images.inspect(usedId))).toBe('NotFound');
    });

    it('keeps a named volume in use while a container uses it', async () => {
      const volume = uniqueSuiteName('suite-vol');
      const id = await create({ cmd: ['true'], mounts: [{ type: 'volume', source: volume, target: '/data' }] });
      expect((await engine.volumes.inspect(volume)).name).toBe(volume);
      expect(await errorCodeOf(engine.volumes.remove(volume))).toBe('Conflict');
      await engine.containers.remove(id);
      made.splice(made.indexOf(id), 1);
      await engine.volumes.remove(volume);
    });

    it('attaches a started container to its user-defined network with an address', async () => {
      const network = await engine.networks.create({ name: uniqueSuiteName('suite-net') });
      try {
        const id = await create({ cmd: ['sleep', '1000'], networkMode: network.name });
        await engine.containers.start(id);
        const settings = (await engine.containers.inspect(id)).networkSettings.networks[network.name];
        expect(settings?.ipv4Address).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
        // dockerd answers a network in use with 403 (libnetwork's ActiveEndpointsError is Forbidden).
        expect(await errorCodeOf(engine.networks.remove(network.id))).toBe('PermissionDenied');
        await engine.containers.remove(id, { force: true });
        made.splice(made.indexOf(id), 1);
      } finally {
        await engine.networks.remove(network.id);
      }
    });

    it('lists processes of a running container only', async () => {
      const id = await create({ cmd: ['sleep', '1000'] });
      expect(conflict409).toContain(await errorCodeOf(engine.containers.top(id)));
      await engine.containers.start(id);
      const top = await engine.containers.top(id);
      expect(top.titles.length).toBeGreaterThan(0);
      expect(top.processes.length).toBeGreaterThan(0);
    });

    it('follows the logs until the container exits', async () => {
      const id = await create({ cmd: ['sh', '-c', 'echo one; sleep 0.2; echo two'] });
      await engine.containers.start(id);
      expect(await text(engine.containers.logs(id, { follow: true }))).toBe('one\ntwo\n');
      expect((await engine.containers.inspect(id)).state.status).toBe('exited');
    });

    it('attaches to a running container: its stdin in, its output out', async () => {
      const id = await create({ cmd: ['cat'], openStdin: true });
      await engine.containers.start(id);
      const session = await engine.containers.attach(id, { stdin: true, stdout: true, stderr: true });
      session.stdin!.write('hello\n');
      let received = '';
      for await (const chunk of session.output) {
        received += chunk.data.toString('utf8');
        if (received.includes('hello\n')) break;
      }
      expect(received).toBe('hello\n');
      await session.detach();
      expect((await engine.containers.inspect(id)).state.status).toBe('running');
      await engine.containers.kill(id);
    });

    it('samples stats of a running container once', async () => {
      const id = await create({ cmd: ['sleep', '1000'] });
      await engine.containers.start(id);
      const samples = [];
      for await (const sample of engine.containers.stats(id, { stream: false })) samples.push(sample);
      expect(samples).toHaveLength(1);
      expect(samples[0]!.id).toBe(id);
      expect(samples[0]!.memory.usage).toBeGreaterThan(0);
      expect(samples[0]!.pids).toBeGreaterThan(0);
    });

    it('reports healthchecks: healthy after a passing probe, unhealthy after the retries fail', async () => {
      const healthy = await create({ cmd: ['sleep', '1000'], healthcheck: { test: ['CMD', 'true'], intervalNs: 50e6, retries: 1 } });
      const unhealthy = await create({ cmd: ['sleep', '1000'], healthcheck: { test: ['CMD-SHELL', 'exit 1'], intervalNs: 50e6, retries: 2 } });
      const recorder = recordEvents(engine, { type: ['container'], event: ['health_status'] });
      await engine.containers.start(healthy);
      await engine.containers.start(unhealthy);
      await recorder.until((event) => event.actor.id === healthy && event.actor.attributes.healthStatus === 'healthy');
      await recorder.until((event) => event.actor.id === unhealthy && event.actor.attributes.healthStatus === 'unhealthy');
      recorder.stop();
      const good = await engine.containers.inspect(healthy);
      expect(good.state.health?.status).toBe('healthy');
      expect(good.state.health?.log.at(-1)?.exitCode).toBe(0);
      const bad = await engine.containers.inspect(unhealthy);
      expect(bad.state.health?.status).toBe('unhealthy');
      expect(bad.state.health?.failingStreak).toBeGreaterThanOrEqual(2);
    });

    it('connects a running container to another network and disconnects it; events connect, disconnect', async () => {
      const network = await engine.networks.create({ name: uniqueSuiteName('suite-net') });
      try {
        const id = await create({ cmd: ['sleep', '1000'] });
        await engine.containers.start(id);
        const recorder = recordEvents(engine, { type: ['network'], network: [network.id] });
        await engine.networks.connect(network.name, id, { aliases: ['suite-alias'] });
        const connected = await engine.containers.inspect(id);
        expect(Object.keys(connected.networkSettings.networks)).toEqual(expect.arrayContaining(['bridge', network.name]));
        expect(connected.networkSettings.networks[network.name]?.aliases).toContain('suite-alias');
        expect(Object.keys((await engine.networks.inspect(network.id)).containers)).toEqual([id]);
        expect(await errorCodeOf(engine.networks.connect(network.name, id))).toBe('PermissionDenied');
        await engine.networks.disconnect(network.name, id);
        expect(Object.keys((await engine.containers.inspect(id)).networkSettings.networks)).not.toContain(network.name);
        const events = await recorder.until((event) => event.action === 'disconnect');
        recorder.stop();
        expect(events.map((event) => [event.action, event.actor.attributes.container])).toEqual([
          ['connect', id],
          ['disconnect', id],
        ]);
      } finally {
        await engine.networks.remove(network.id).catch(() => undefined);
      }
    });

    it('updates the restart policy and resources', async () => {
      const id = await create({ cmd: ['true'] });
      // As dockerd: a first memory limit must come with its memory+swap limit.
      expect(conflict409).toContain(await errorCodeOf(engine.containers.update(id, { resources: { memory: 64 * 1024 * 1024 } })));
      await engine.containers.update(id, {
        restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
        resources: { memory: 64 * 1024 * 1024, memorySwap: 128 * 1024 * 1024 },
      });
      const inspected = await engine.containers.inspect(id);
      expect(inspected.hostConfig.restartPolicy).toEqual({ name: 'on-failure', maximumRetryCount: 3 });
      expect(inspected.hostConfig.resources.memory).toBe(64 * 1024 * 1024);
      expect(await errorCodeOf(engine.containers.update(id, { resources: { memory: 1024 } }))).toBe('InvalidArgument');
    });

    it('exports the container file system as a tar', async () => {
      const id = await create({ cmd: ['true'] });
      const chunks: Buffer[] = [];
      const { Writable } = await import('node:stream');
      await engine.containers.export(
        id,
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            chunks.push(chunk);
            callback();
          },
        }),
      );
      const tar = Buffer.concat(chunks);
      expect(tar.includes(Buffer.from('bin/busybox'))).toBe(true);
    });

    it('records a start that fails: the start rejects, the exit code is 127', async () => {
      const id = await create({ cmd: ['/no/such/binary'] });
      await engine.containers.start(id).catch(() => undefined);
      expect((await engine.containers.wait(id)).statusCode).toBe(127);
      expect((await engine.containers.inspect(id)).state.exitCode).toBe(127);
    });

    it('prunes stopped containers and keeps running ones', async () => {
      const label = uniqueSuiteName('suite-prune');
      const stopped = await create({ cmd: ['true'], labels: { [label]: '' } });
      const running = await create({ cmd: ['sleep', '1000'], labels: { [label]: '' } });
      await engine.containers.start(running);
      const report = await engine.containers.prune({ filters: { label: [label] } });
      expect(report.containersDeleted).toEqual([stopped]);
      expect((await engine.containers.inspect(running)).state.status).toBe('running');
    });
  });
}
