import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createEngineClient, type EngineClient } from '@berth/engine-client';
import type { LogChunk } from '@berth/engine';
import { mutate, writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { describeIntegration, makeTempDir, uniqueName } from '@berth/testkit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type MemoryRegistryServer, startMemoryRegistry } from '@berth/registry-client/testing';
import { type PrivateDockerd, startPrivateDockerd } from './support/private-dockerd.js';

/** The output with a `stream:` prefix where the stream changes (chunk boundaries are the kernel's). */
async function text(chunks: AsyncIterable<LogChunk>): Promise<string> {
  let out = '';
  let last: string | undefined;
  for await (const chunk of chunks) {
    out += chunk.stream === last ? chunk.data.toString() : `${chunk.stream}:${chunk.data.toString()}`;
    last = chunk.stream;
  }
  return out;
}

// What the client adds over the conformance suite, against a real dockerd: negotiation with an
// older daemon, stdin through a hijacked exec, TTY streams, aborts, push and pull progress.
describeIntegration('engine-client against dockerd', { root: true, commands: ['dockerd'] }, () => {
  let daemon: PrivateDockerd | undefined;
  let client: EngineClient;
  let image: string;
  let workDir: { path: string; remove: () => Promise<void> };
  const made: string[] = [];

  beforeAll(async () => {
    daemon = await startPrivateDockerd();
    client = createEngineClient({ host: daemon.host });
    workDir = await makeTempDir('berth-engine-client');
    image = `${uniqueName('client-busybox')}:latest`;
    const archive = `${workDir.path}/busybox.tar`;
    await writeDockerArchive(archive, [{ image: busyboxImage(), tags: [image] }]);
    await client.images.load(createReadStream(archive));
  }, 60_000);
  afterEach(async () => {
    for (const id of made.splice(0)) await client.containers.remove(id, { force: true }).catch(() => undefined);
  });
  afterAll(async () => {
    await client?.close();
    await daemon?.stop();
    await workDir?.remove();
  }, 60_000);

  const running = async (options: { tty?: boolean } = {}) => {
    const { id } = await client.containers.create({ image, cmd: ['sleep', '1000'], ...options });
    made.push(id);
    await client.containers.start(id);
    return id;
  };

  it('negotiates the daemon\'s older API version (dockerd 20.10 speaks 1.41)', async () => {
    const version = await client.system.version();
    expect(await client.apiVersion()).toBe(version.apiVersion);
    expect(Number(version.apiVersion.split('.')[1])).toBeLessThanOrEqual(47);
  });

  it('sends stdin through a hijacked exec and half-closes it so the process ends', async () => {
    const id = await running();
    const exec = await client.containers.exec(id, { cmd: ['sh', '-c', 'cat; echo bye >&2; exit 5'], attachStdin: true });
    const session = await client.containers.execStart(exec.id, { stdin: Readable.from([Buffer.from('line one\n'), Buffer.from('line two\n')]) });
    expect(await text(session.output)).toBe('stdout:line one\nline two\nstderr:bye\n');
    expect(await session.exit).toBe(5);
  });

  it('reads a TTY exec raw: one stream, the terminal\'s line endings', async () => {
    const id = await running();
    const exec = await client.containers.exec(id, { cmd: ['sh', '-c', 'echo out; echo err >&2'], tty: true });
    const session = await client.containers.execStart(exec.id);
    const streams = new Set<string>();
    let output = '';
    for await (const chunk of session.output) {
      streams.add(chunk.stream);
      output += chunk.data.toString();
    }
    expect([...streams]).toEqual(['stdout']);
    expect(output).toBe('out\r\nerr\r\n');
    expect(await session.exit).toBe(0);
  });

  it('starts a detached exec and reports its exit code when it ends', async () => {
    const id = await running();
    const exec = await client.containers.exec(id, { cmd: ['sh', '-c', 'sleep 1; exit 3'], attachStdout: false, attachStderr: false });
    const session = await client.containers.execStart(exec.id, { detach: true });
    expect((await client.containers.execInspect(exec.id)).running).toBe(true);
    expect(await session.exit).toBe(3);
  });

  it('ends a followed log and a stats stream when their signal aborts', async () => {
    const { id } = await client.containers.create({ image, cmd: ['sh', '-c', 'while true; do echo tick; sleep 0.1; done'] });
    made.push(id);
    await client.containers.start(id);
    const logsAbort = new AbortController();
    let ticks = 0;
    for await (const chunk of client.containers.logs(id, { follow: true, signal: logsAbort.signal })) {
      expect(chunk.data.toString()).toBe('tick\n');
      if (++ticks === 3) logsAbort.abort();
    }
    expect(ticks).toBe(3);
    const statsAbort = new AbortController();
    let samples = 0;
    for await (const sample of client.containers.stats(id, { signal: statsAbort.signal })) {
      expect(sample.id).toBe(id);
      if (++samples === 2) statsAbort.abort();
    }
    expect(samples).toBe(2);
  });

  it('detaches an attach session without stopping the container', async () => {
    const id = await running();
    const session = await client.containers.attach(id, { stdout: true, stderr: true });
    await session.detach();
    expect(await text(session.output)).toBe('');
    expect((await client.containers.inspect(id)).state.status).toBe('running');
  });

  it('pushes to and pulls from a registry, reporting progress', async () => {
    // dockerd talks plain HTTP to 127.0.0.0/8 registries: Berth's in-memory one serves here.
    let registry: MemoryRegistryServer | undefined;
    try {
      registry = await startMemoryRegistry();
      // A label gives this image its own layers' config, so nothing is shared with the suite's.
      const archive = `${workDir.path}/pushed.tar`;
      const reference = `${registry.host}/${uniqueName('client-push')}:v1`;
      await writeDockerArchive(archive, [{ image: mutate.config(busyboxImage(), { Labels: { pushed: 'yes' } }), tags: [reference] }]);
      await client.images.load(createReadStream(archive));

      const push = client.images.push(reference);
      const pushed = [];
      for await (const event of push.progress) pushed.push(event);
      const pushResult = await push.done;
      expect(pushResult.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(pushed.some((event) => event.type === 'blob' && event.state === 'pushed')).toBe(true);

      const id = (await client.images.inspect(reference)).id;
      await client.images.remove(reference, { force: true });
      const pull = client.images.pull(reference);
      const pulled = [];
      for await (const event of pull.progress) pulled.push(event);
      expect(await pull.done).toEqual({ reference, id, digest: pushResult.digest });
      // The busybox layer is still there (the file's other image): docker says "Already exists".
      expect(pulled.some((event) => event.type === 'layer' && event.state === 'exists')).toBe(true);
      await client.images.remove(reference, { force: true });
    } finally {
      await registry?.close();
    }
  });

  it('rejects a pull of a missing repository with the daemon\'s message', async () => {
    const pull = client.images.pull(`127.0.0.1:1/${uniqueName('nothing')}`);
    await expect(pull.done).rejects.toMatchObject({ message: expect.stringContaining('127.0.0.1:1') });
  });
});
