import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '@berth/engine';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { createHostDriver, createLinuxHostNet, createMemoryDriver, createNoneDriver } from '@berth/network';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { type DaemonServer, serveEngine } from '@berth/daemon';

const dockerCli = '/usr/local/bin/docker';
const run = promisify(execFile);

// berthd over the real engine (runc under conmon, overlayfs), driven by the docker CLI. Networks
// use the memory driver under the `bridge` name so nothing is left on the host's network.
describeIntegration('berthd over the linux engine', { root: true, commands: ['runc', 'conmon', dockerCli] }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  let stateRoot: string;
  let server: DaemonServer;
  let socketPath: string;
  const docker = (...args: string[]) =>
    run(dockerCli, args, { env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: join(dir.path, 'docker-config') }, timeout: 30_000 });

  beforeAll(async () => {
    dir = await makeTempDir('berthd-linux');
    stateRoot = `/run/bd-${randomBytes(4).toString('hex')}`;
    socketPath = join(dir.path, 'd.sock');
    const engine = await createEngine({
      dataRoot: join(dir.path, 'data'),
      stateRoot,
      networkDrivers: [createMemoryDriver({ type: 'bridge' }), createHostDriver(), createNoneDriver()],
      hostNet: createLinuxHostNet(),
    });
    server = await serveEngine(engine, { listeners: [{ type: 'unix', path: socketPath }], closeEngine: true });
    await writeDockerArchive(join(dir.path, 'busybox.tar'), [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
    await docker('load', '-i', join(dir.path, 'busybox.tar'));
  });

  afterAll(async () => {
    if (server) {
      const ids = existsSync(socketPath) ? (await docker('ps', '-aq')).stdout.split('\n').filter((id) => id !== '') : [];
      if (ids.length > 0) await docker('rm', '-f', ...ids).catch(() => undefined);
      await server.close();
    }
    await dir?.remove();
    if (stateRoot) await rm(stateRoot, { recursive: true, force: true });
  });

  it('docker run --rm, exit codes, stdin, exec and logs work on real containers', async () => {
    expect((await docker('run', '--rm', 'busybox', 'echo', 'hello from runc')).stdout).toBe('hello from runc\n');
    await expect(docker('run', '--rm', 'busybox', 'sh', '-c', 'exit 4')).rejects.toMatchObject({ code: 4 });
    await docker('run', '-d', '--name', 'real-sleeper', 'busybox', 'sh', '-c', 'echo up; sleep 1000');
    expect((await docker('exec', 'real-sleeper', 'cat', '/etc/hostname')).stdout.trim()).toMatch(/^[0-9a-f]{12}$/);
    expect((await docker('logs', 'real-sleeper')).stdout).toBe('up\n');
    await docker('rm', '-f', 'real-sleeper');
  });

  // `docker ps -s` / `docker inspect -s`: the CLI reads SizeRw and SizeRootFs of a container
  // that wrote 1 MiB of random (incompressible) bytes into its own layer.
  it('docker ps -s prints the writable layer and the virtual size; --format {{.Size}} asks for them by itself', async () => {
    const name = `sized-${randomBytes(4).toString('hex')}`;
    await docker('run', '--name', name, '--network', 'none', 'busybox', 'dd', 'if=/dev/urandom', 'of=/written.bin', 'bs=1024', 'count=1024');
    const text = async (...args: string[]) => (await docker(...args)).stdout;
    const sized = (await text('ps', '-a', '-s', '--filter', `name=${name}`, '--format', '{{.Size}}')).trim();
    expect(sized).toMatch(/^1\.\d+MB \(virtual \d+(\.\d+)?MB\)$/);
    // The docker CLI sets size=1 when the template reads .Size.
    expect((await text('ps', '-a', '--filter', `name=${name}`, '--format', '{{.Size}}')).trim()).toBe(sized);
    const table = (await text('ps', '-a', '-s', '--filter', `name=${name}`)).trimEnd().split('\n');
    expect(table[0]).toMatch(/NAMES\s+SIZE$/);
    expect(table[1]).toContain(sized);

    const [rw, rootFs] = (await text('inspect', '-s', '--format', '{{.SizeRw}} {{.SizeRootFs}}', name)).trim().split(' ').map(Number);
    expect(rw).toBeGreaterThanOrEqual(1 << 20);
    const imageSize = Number((await text('image', 'inspect', '--format', '{{.Size}}', 'busybox')).trim());
    expect(rootFs).toBe(rw! + imageSize);
    const plain = JSON.parse(await text('inspect', name)) as Array<Record<string, unknown>>;
    expect(plain[0]).not.toHaveProperty('SizeRw');
    expect(plain[0]).not.toHaveProperty('SizeRootFs');
    await docker('rm', name);
  });
});
