import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, createEngine, createMemoryEngine } from '@berth/engine';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { createHostDriver, createLinuxHostNet, createMemoryDriver, createNoneDriver } from '@berth/network';
import { describeIntegration, type DockerRegistry, startDockerRegistry } from '@berth/testkit';
import { type DaemonServer, serveEngine } from '@berth/daemon';

// dockerode (docker-modem underneath) is the Node client people already use: these are the calls
// of its README, unchanged, against berthd — over the memory engine, and over the real one.

/** What one smoke run needs: a client on berthd, and a registry busybox was pushed to. */
interface SmokeTarget {
  docker: Docker;
  /** `127.0.0.1:<port>/smoke/busybox:1`, pushed by the setup and removed locally. */
  remoteImage: string;
  /** A short unique tag for object names, so parallel files never collide. */
  tag: string;
}

/** Reads dockerode's progress stream (pull, push, load) to its end; a progress `error` rejects. */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: Array<Record<string, unknown>>) => {
      if (err) reject(err);
      else resolve(output);
    });
  });
}

/** Splits a multiplexed stream with `docker.modem.demuxStream`; resolves once it ends. */
function demux(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { stdout: '', stderr: '' };
  stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  docker.modem.demuxStream(stream, stdout, stderr);
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve(out));
    stream.on('close', () => resolve(out));
    stream.on('error', reject);
  });
}

/** Loads busybox with `loadImage`, pushes it to the registry and removes the local name, so tests pull it back. */
async function prepareRegistryImage(docker: Docker, registry: DockerRegistry, tag: string): Promise<string> {
  const tar = new PassThrough();
  const written = writeDockerArchive(tar, [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
  const loaded = await docker.loadImage(tar as unknown as NodeJS.ReadableStream);
  await written;
  await followProgress(docker, loaded);
  const repo = `${registry.host}/smoke-${tag}/busybox`;
  await docker.getImage('busybox:latest').tag({ repo, tag: '1' });
  const pushed = await docker.getImage(`${repo}:1`).push({});
  const progress = await followProgress(docker, pushed);
  expect(progress.some((p) => typeof p['aux'] === 'object' && p['aux'] !== null && 'Digest' in (p['aux'] as object))).toBe(true);
  await docker.getImage(`${repo}:1`).remove();
  return `${repo}:1`;
}

/** The smoke steps, shared by both engines. */
function smokeSteps(target: () => SmokeTarget): void {
  it('pulls from the registry with progress, then inspects and lists the image', async () => {
    const { docker, remoteImage } = target();
    await expect(docker.getImage(remoteImage).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const progress = await followProgress(docker, await docker.pull(remoteImage));
    expect(progress.map((p) => p['status'])).toContain(`Status: Downloaded newer image for ${remoteImage}`);
    const image = await docker.getImage(remoteImage).inspect();
    expect(image.RepoTags).toContain(remoteImage);
    expect(image.Id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const listed = await docker.listImages({ filters: { reference: [remoteImage] } });
    expect(listed.map((i) => i.Id)).toEqual([image.Id]);
  });

  it('creates, attaches, starts, waits, and reads demultiplexed logs', async () => {
    const { docker, remoteImage, tag } = target();
    const container = await docker.createContainer({
      Image: remoteImage,
      name: `dockerode-run-${tag}`,
      Cmd: ['sh', '-c', 'echo to stdout; echo to stderr >&2; exit 3'],
      Labels: { smoke: tag },
    });
    const attached = await container.attach({ stream: true, stdout: true, stderr: true });
    const live = demux(docker, attached);
    await container.start();
    expect(await container.wait()).toMatchObject({ StatusCode: 3 });
    expect(await live).toEqual({ stdout: 'to stdout\n', stderr: 'to stderr\n' });
    const followed = await container.logs({ follow: true, stdout: true, stderr: true });
    expect(await demux(docker, followed)).toEqual({ stdout: 'to stdout\n', stderr: 'to stderr\n' });
    // Without follow, dockerode hands back the raw multiplexed body.
    const buffered = (await container.logs({ follow: false, stdout: false, stderr: true })) as unknown as Buffer;
    expect(buffered.subarray(0, 1)[0]).toBe(2);
    expect(buffered.subarray(8).toString()).toBe('to stderr\n');
    const inspected = await container.inspect();
    expect(inspected.State).toMatchObject({ Status: 'exited', ExitCode: 3, Running: false });
    expect(inspected.Name).toBe(`/dockerode-run-${tag}`);
    const listed = await docker.listContainers({ all: true, filters: { label: [`smoke=${tag}`] } });
    expect(listed.map((c) => c.Id)).toContain(container.id);
    await container.remove();
  });

  it('docker.run streams the output into the given streams and resolves with the exit', async () => {
    const { docker, remoteImage } = target();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const [result, container] = (await docker.run(remoteImage, ['sh', '-c', 'echo run out; echo run err >&2'], [stdout, stderr], { Tty: false })) as [
      { StatusCode: number },
      Docker.Container,
    ];
    expect(result.StatusCode).toBe(0);
    await expect.poll(() => out + err).toBe('run out\nrun err\n');
    expect(out).toBe('run out\n');
    await container.remove({ force: true });
  });

  it('execs with demultiplexed output and reads the exit code from exec.inspect', async () => {
    const { docker, remoteImage, tag } = target();
    const container = await docker.createContainer({ Image: remoteImage, name: `dockerode-exec-${tag}`, Cmd: ['sleep', '1000'] });
    await container.start();
    try {
      const exec = await container.exec({ Cmd: ['sh', '-c', 'echo exec out; echo exec err >&2; exit 5'], AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      expect(await demux(docker, stream)).toEqual({ stdout: 'exec out\n', stderr: 'exec err\n' });
      await expect.poll(async () => (await exec.inspect()).Running).toBe(false);
      const inspected = await exec.inspect();
      expect(inspected.ExitCode).toBe(5);
      expect(inspected.ContainerID).toBe(container.id);

      // stdin through the hijacked exec: the end of stdin is the end of `cat`.
      const cat = await container.exec({ Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
      const duplex = (await cat.start({ hijack: true, stdin: true })) as unknown as NodeJS.ReadWriteStream;
      const echoed = demux(docker, duplex);
      duplex.write('fed to exec\n');
      duplex.end();
      expect((await echoed).stdout).toBe('fed to exec\n');
      await expect.poll(async () => (await cat.inspect()).ExitCode).toBe(0);
    } finally {
      await container.remove({ force: true });
    }
  });

  it('creates, connects, inspects, disconnects and removes a network', async () => {
    const { docker, remoteImage, tag } = target();
    const network = await docker.createNetwork({ Name: `dockerode-net-${tag}`, Driver: 'bridge', Labels: { smoke: tag } });
    const container = await docker.createContainer({ Image: remoteImage, name: `dockerode-netc-${tag}`, Cmd: ['sleep', '1000'] });
    try {
      await container.start();
      await network.connect({ Container: container.id, EndpointConfig: { Aliases: ['smoke-alias'] } });
      const inspected = await network.inspect();
      expect(inspected.Name).toBe(`dockerode-net-${tag}`);
      expect(Object.keys(inspected.Containers ?? {})).toContain(container.id);
      const endpoint = (await container.inspect()).NetworkSettings.Networks[`dockerode-net-${tag}`];
      expect(endpoint?.Aliases ?? []).toContain('smoke-alias');
      expect(endpoint?.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const listed = await docker.listNetworks({ filters: { label: [`smoke=${tag}`] } });
      expect(listed.map((n) => n.Id)).toEqual([network.id]);
      await network.disconnect({ Container: container.id, Force: true });
      expect(Object.keys((await network.inspect()).Containers ?? {})).not.toContain(container.id);
    } finally {
      await container.remove({ force: true });
    }
    await network.remove();
    await expect(network.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('creates, lists, inspects and removes a volume', async () => {
    const { docker, tag } = target();
    // dockerode answers with a Volume handle named by the reply's `Name`.
    const volume = (await docker.createVolume({ Name: `dockerode-vol-${tag}`, Labels: { smoke: tag } })) as unknown as Docker.Volume;
    expect(volume.name).toBe(`dockerode-vol-${tag}`);
    const listed = await docker.listVolumes({ filters: { label: [`smoke=${tag}`] } });
    expect(listed.Volumes.map((v) => v.Name)).toEqual([`dockerode-vol-${tag}`]);
    expect(await volume.inspect()).toMatchObject({ Name: `dockerode-vol-${tag}`, Driver: 'local', Labels: { smoke: tag }, Scope: 'local' });
    await volume.remove();
    await expect(volume.inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await docker.listVolumes({ filters: { label: [`smoke=${tag}`] } })).Volumes ?? []).toEqual([]);
  });

  it('streams filtered events (a start is seen), and replays them with since/until', async () => {
    const { docker, remoteImage, tag } = target();
    const container = await docker.createContainer({ Image: remoteImage, name: `dockerode-events-${tag}`, Cmd: ['true'] });
    const since = Math.floor(Date.now() / 1000) - 1;
    const events = (await docker.getEvents({ filters: { container: [container.id], event: ['start'] } })) as unknown as Readable;
    const seen = new Promise<Record<string, any>>((resolve, reject) => {
      let buffered = '';
      events.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const line = buffered.split('\n').find((l) => l.trim() !== '');
        if (line) resolve(JSON.parse(line));
      });
      events.on('error', reject);
    });
    try {
      await container.start();
      const event = await seen;
      expect(event).toMatchObject({ Type: 'container', Action: 'start', status: 'start', id: container.id });
      expect(event['Actor'].Attributes.name).toBe(`dockerode-events-${tag}`);
    } finally {
      events.destroy();
    }
    await container.wait();
    // A bounded replay ends by itself: dockerode hands back the whole body.
    const until = Math.floor(Date.now() / 1000) + 1;
    const replay = (await docker.getEvents({ since, until, filters: { container: [container.id] } })) as unknown as Readable;
    let text = '';
    for await (const chunk of replay) text += (chunk as Buffer).toString();
    const actions = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l).Action as string);
    expect(actions).toEqual(expect.arrayContaining(['create', 'start']));
    await container.remove();
  });
}

describe('dockerode against berthd (memory engine)', () => {
  let dir: string;
  let server: DaemonServer;
  let registry: DockerRegistry;
  let smoke: SmokeTarget;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berthd-dockerode-'));
    registry = await startDockerRegistry({ dir: join(dir, 'registry') });
    const socketPath = join(dir, 'berthd.sock');
    server = await serveEngine(await createMemoryEngine(), { listeners: [{ type: 'unix', path: socketPath }], closeEngine: true, shutdownTimeoutMs: 2000 });
    const docker = new Docker({ socketPath });
    const tag = randomBytes(3).toString('hex');
    smoke = { docker, tag, remoteImage: await prepareRegistryImage(docker, registry, tag) };
  });

  afterAll(async () => {
    await server?.close();
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('negotiates: ping, version and info answer as dockerd\'s', async () => {
    const { docker } = smoke;
    expect((await docker.ping()).toString()).toBe('OK');
    const version = await docker.version();
    expect(version).toMatchObject({ ApiVersion: '1.47', Os: 'linux' });
    const info = await docker.info();
    expect(typeof info.Containers).toBe('number');
  });

  smokeSteps(() => smoke);

  it('maps errors to dockerode\'s statusCode and docker\'s message', async () => {
    const { docker } = smoke;
    await expect(docker.getContainer('no-such-container').inspect()).rejects.toMatchObject({
      statusCode: 404,
      json: { message: 'No such container: no-such-container' },
    });
    await expect(docker.createContainer({ Image: 'no-such-image:1' })).rejects.toMatchObject({ statusCode: 404 });
  });
});

// The real engine (runc under conmon, overlayfs), the memory network driver standing in for
// `bridge` so nothing is left on the host's network.
describeIntegration('dockerode against berthd (linux engine)', { root: true, commands: ['runc', 'conmon', 'docker-registry'] }, () => {
  let dir: string;
  let stateRoot: string;
  let server: DaemonServer;
  let registry: DockerRegistry;
  let smoke: SmokeTarget;
  let engine: Engine;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berthd-dockerode-linux-'));
    stateRoot = `/run/bd-${randomBytes(4).toString('hex')}`;
    registry = await startDockerRegistry({ dir: join(dir, 'registry') });
    const socketPath = join(dir, 'd.sock');
    engine = await createEngine({
      dataRoot: join(dir, 'data'),
      stateRoot,
      networkDrivers: [createMemoryDriver({ type: 'bridge' }), createHostDriver(), createNoneDriver()],
      hostNet: createLinuxHostNet(),
    });
    server = await serveEngine(engine, { listeners: [{ type: 'unix', path: socketPath }], closeEngine: true });
    const docker = new Docker({ socketPath });
    const tag = randomBytes(3).toString('hex');
    smoke = { docker, tag, remoteImage: await prepareRegistryImage(docker, registry, tag) };
  }, 120_000);

  afterAll(async () => {
    if (server) {
      for (const container of await engine.containers.list({ all: true }).catch(() => [])) {
        await engine.containers.remove(container.id, { force: true }).catch(() => undefined);
      }
      await server.close();
    }
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (stateRoot) await rm(stateRoot, { recursive: true, force: true });
  });

  smokeSteps(() => smoke);
});
