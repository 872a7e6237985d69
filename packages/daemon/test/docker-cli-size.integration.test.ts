import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

// `docker ps -s` and `docker inspect -s` over berthd on the real engine (runc, overlayfs): the
// docker CLI reads SizeRw and SizeRootFs of a container that wrote a file in its own layer.
describeIntegration('docker CLI container sizes against berthd (linux engine)', { root: true, commands: ['runc', 'conmon', dockerCli] }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  let stateRoot: string;
  let server: DaemonServer | undefined;
  let socketPath: string;
  const docker = async (...args: string[]) =>
    (await run(dockerCli, args, { env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: join(dir.path, 'docker-config') }, timeout: 30_000 })).stdout;
  const name = `sized-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    dir = await makeTempDir('berthd-size');
    stateRoot = `/run/bs-${randomBytes(4).toString('hex')}`;
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
    // 1 MiB of random bytes (incompressible) written by the container into its own layer.
    await docker('run', '--name', name, '--network', 'none', 'busybox', 'dd', 'if=/dev/urandom', 'of=/written.bin', 'bs=1024', 'count=1024');
  }, 60_000);

  afterAll(async () => {
    if (server) {
      await docker('rm', '-f', name).catch(() => undefined);
      await server.close();
    }
    await dir?.remove();
    if (stateRoot) await rm(stateRoot, { recursive: true, force: true });
  }, 60_000);

  it('docker ps -s prints the writable layer and the virtual size; --format {{.Size}} asks for them by itself', async () => {
    const sized = (await docker('ps', '-a', '-s', '--filter', `name=${name}`, '--format', '{{.Size}}')).trim();
    expect(sized).toMatch(/^1\.\d+MB \(virtual \d+(\.\d+)?MB\)$/);
    // The docker CLI sets size=1 when the template reads .Size.
    expect((await docker('ps', '-a', '--filter', `name=${name}`, '--format', '{{.Size}}')).trim()).toBe(sized);
    const table = (await docker('ps', '-a', '-s', '--filter', `name=${name}`)).trimEnd().split('\n');
    expect(table[0]).toMatch(/NAMES\s+SIZE$/);
    expect(table[1]).toContain(sized);
  });

  it('docker inspect -s reports SizeRw and SizeRootFs; without -s they are not there', async () => {
    const [rw, rootFs] = (await docker('inspect', '-s', '--format', '{{.SizeRw}} {{.SizeRootFs}}', name)).trim().split(' ').map(Number);
    expect(rw).toBeGreaterThanOrEqual(1 << 20);
    const imageSize = Number((await docker('image', 'inspect', '--format', '{{.Size}}', 'busybox')).trim());
    expect(rootFs).toBe(rw! + imageSize);
    const plain = JSON.parse(await docker('inspect', name)) as Array<Record<string, unknown>>;
    expect(plain[0]).not.toHaveProperty('SizeRw');
    expect(plain[0]).not.toHaveProperty('SizeRootFs');
  });
});
