import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryEngine } from '@berth/engine';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { type DaemonServer, createLogger, serveEngine } from '@berth/daemon';
import { call } from './daemon-fixture.js';

const dockerCli = '/usr/local/bin/docker';
const run = promisify(execFile);

// The docker CLI is only a client here: it talks to berthd serving the memory engine.
describe.skipIf(!existsSync(dockerCli))('docker CLI against berthd (memory engine)', () => {
  let dir: string;
  let socketPath: string;
  let server: DaemonServer;
  const docker = (...args: string[]) =>
    run(dockerCli, args, { env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: join(dir, 'docker-config') }, timeout: 20_000 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berthd-cli-'));
    socketPath = join(dir, 'berthd.sock');
    const engine = await createMemoryEngine();
    server = await serveEngine(engine, { listeners: [{ type: 'unix', path: socketPath }], closeEngine: true, shutdownTimeoutMs: 2000, ...(process.env['BERTHD_TEST_DEBUG'] ? { logger: createLogger('debug') } : {}) });
    // Load busybox the way a user would: a `docker save` tar over POST /images/load.
    const tar = new PassThrough();
    const chunks: Buffer[] = [];
    tar.on('data', (c: Buffer) => chunks.push(c));
    await writeDockerArchive(tar, [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
    const loaded = await call(socketPath, 'POST', '/images/load', Buffer.concat(chunks), { 'Content-Type': 'application/x-tar' });
    expect(loaded.status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('docker version shows the server', async () => {
    const { stdout } = await docker('version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}');
    expect(stdout.trim()).toBe('1.47 linux');
    // The plain output reads the Engine component's details.
    const plain = (await docker('version')).stdout.split('Server:')[1] ?? '';
    expect(plain).toMatch(/API version:\s+1\.47 \(minimum version 1\.\d+\)/);
    expect(plain).toMatch(/OS\/Arch:\s+linux\/\w+/);
  });

  it('docker images and docker ps', async () => {
    expect((await docker('images', '--format', '{{.Repository}}:{{.Tag}}')).stdout.trim()).toBe('busybox:latest');
    expect((await docker('ps', '-a', '--format', '{{.Names}}')).stdout.trim()).toBe('');
  });

  it('docker run --rm prints the output, passes the exit code and removes the container', async () => {
    const { stdout } = await docker('run', '--rm', 'busybox', 'echo', 'hello from berthd');
    expect(stdout).toBe('hello from berthd\n');
    await expect(docker('run', '--rm', 'busybox', 'sh', '-c', 'exit 3')).rejects.toMatchObject({ code: 3 });
    expect((await docker('ps', '-a', '-q')).stdout.trim()).toBe('');
  });

  it('docker run -t gets a raw stream', async () => {
    expect((await docker('run', '-t', '--rm', 'busybox', 'echo', 'with a tty')).stdout).toContain('with a tty');
  });

  it('docker run -i passes stdin through the hijacked attach', async () => {
    const child = execFile(dockerCli, ['run', '-i', '--rm', 'busybox', 'cat'], {
      env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: join(dir, 'docker-config') },
      timeout: 20_000,
    });
    let stdout = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stdin?.end('piped into the container\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toBe('piped into the container\n');
    expect(code).toBe(0);
  });

  it('docker run -d, exec, logs, stop, rm', async () => {
    const id = (await docker('run', '-d', '--name', 'cli-web', 'busybox', 'sh', '-c', 'echo started; sleep 1000')).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await docker('exec', 'cli-web', 'echo', 'in exec')).stdout).toBe('in exec\n');
    expect((await docker('logs', 'cli-web')).stdout).toBe('started\n');
    expect((await docker('ps', '--format', '{{.Names}} {{.Image}}')).stdout.trim()).toBe('cli-web busybox');
    await docker('stop', '-t', '1', 'cli-web');
    await docker('rm', 'cli-web');
    await expect(docker('inspect', 'cli-web')).rejects.toMatchObject({ stderr: expect.stringContaining('No such') });
  });

  it('docker inspect, cp, stats, top, diff, commit, save and load', async () => {
    await docker('run', '-d', '--name', 'cli-files', '-l', 'role=files', 'busybox', 'sleep', '1000');
    expect((await docker('inspect', '--format', '{{.Name}} {{.State.Status}} {{index .Config.Labels "role"}}', 'cli-files')).stdout.trim()).toBe('/cli-files running files');
    const file = join(dir, 'copied.txt');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'copied in\n'));
    await docker('cp', file, 'cli-files:/tmp/copied.txt');
    const back = join(dir, 'back');
    await docker('cp', 'cli-files:/tmp/copied.txt', back);
    expect(await import('node:fs/promises').then((fs) => fs.readFile(back, 'utf8'))).toBe('copied in\n');
    expect((await docker('stats', '--no-stream', '--format', '{{.Name}}', 'cli-files')).stdout.trim()).toBe('cli-files');
    expect((await docker('top', 'cli-files')).stdout).toContain('PID');
    expect((await docker('diff', 'cli-files')).stdout).toContain('/tmp/copied.txt');
    const image = (await docker('commit', 'cli-files', 'cli-committed:1')).stdout.trim();
    expect(image).toMatch(/^sha256:/);
    await docker('rm', '-f', 'cli-files');
    const tar = join(dir, 'saved.tar');
    await docker('save', '-o', tar, 'cli-committed:1');
    await docker('rmi', 'cli-committed:1');
    expect((await docker('load', '-i', tar)).stdout).toContain('Loaded image: cli-committed:1');
    expect((await docker('images', '-q', 'cli-committed')).stdout.trim()).not.toBe('');
  });

  it('docker logs -f follows until the container ends, docker events replays', async () => {
    const id = (await docker('run', '-d', 'busybox', 'sh', '-c', 'echo one; sleep 1; echo two')).stdout.trim();
    expect((await docker('logs', '-f', id)).stdout).toBe('one\ntwo\n');
    expect((await docker('wait', id)).stdout.trim()).toBe('0');
    // The engine records `die` just after the exit that ends `wait`: ask again until it is in the replay.
    let actions: string[] = [];
    for (let attempt = 0; attempt < 20 && !actions.includes('die'); attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 100));
      const events = await docker('events', '--since', '60s', '--until', '0s', '--filter', `container=${id}`, '--format', '{{.Action}}');
      actions = events.stdout.split('\n');
    }
    expect(actions).toEqual(expect.arrayContaining(['create', 'start', 'die']));
    await docker('rm', id);
  });

  it('docker network and volume commands', async () => {
    await docker('network', 'create', 'cli-net');
    expect((await docker('network', 'ls', '--format', '{{.Name}}')).stdout).toContain('cli-net');
    await docker('network', 'rm', 'cli-net');
    await docker('volume', 'create', 'cli-vol');
    expect((await docker('volume', 'ls', '-q')).stdout).toContain('cli-vol');
    await docker('volume', 'rm', 'cli-vol');
  });
});
