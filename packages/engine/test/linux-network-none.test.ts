import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '@berth/engine';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type LinuxEngineRoots,
  disposeLinuxEngine,
  execIn,
  linuxEngineRoots,
  loadBusybox,
  openLinuxEngine,
  removeStateRoot,
} from './support/linux-engine-fixture.js';

// Network mode `none` gets the empty network namespace runc makes with the container (no
// namespace file of the engine's): what others join through it must still be that namespace.
describeIntegration('linux engine: network mode none', { root: true, commands: ['runc', 'conmon'] }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  let roots: LinuxEngineRoots;
  let engine: Engine;

  beforeAll(async () => {
    dir = await makeTempDir('berth-linux-none');
    roots = linuxEngineRoots(dir.path);
    engine = await openLinuxEngine(roots);
    await loadBusybox(engine, dir.path);
  });

  afterAll(async () => {
    await disposeLinuxEngine(engine);
    if (roots) await removeStateRoot(roots);
    await dir?.remove();
  });

  const startSleeper = async (networkMode: string): Promise<string> => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], networkMode });
    await engine.containers.start(id);
    return id;
  };
  const netnsOf = async (id: string) => (await execIn(engine, id, ['readlink', '/proc/self/ns/net'])).output.trim();

  it('gives a none container its own namespace with loopback up, and no namespace file under the state root', async () => {
    const id = await startSleeper('none');
    const links = await execIn(engine, id, ['ip', '-o', 'link', 'show']);
    expect(links.output.trim().split('\n')).toHaveLength(1);
    expect(links.output).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP>/);
    // Loopback answers.
    expect((await execIn(engine, id, ['ping', '-c', '1', '-W', '2', '127.0.0.1'])).exitCode).toBe(0);
    const inside = await netnsOf(id);
    expect(inside).toMatch(/^net:\[\d+\]$/);
    expect(inside).not.toBe(await readlink('/proc/self/ns/net'));
    await expect(readlink(join(roots.stateRoot, 'netns', id))).rejects.toMatchObject({ code: 'ENOENT' });
    // Its sandbox key names that namespace.
    const { networkSettings } = await engine.containers.inspect(id);
    expect(await readlink(networkSettings.sandboxKey)).toBe(inside);
    await engine.containers.remove(id, { force: true });
  });

  it('lets a container:<x> container join the namespace of a none container', async () => {
    const owner = await startSleeper('none');
    const joiner = await startSleeper(`container:${owner}`);
    expect(await netnsOf(joiner)).toBe(await netnsOf(owner));
    await engine.containers.remove(joiner, { force: true });
    await engine.containers.remove(owner, { force: true });
  });
});
