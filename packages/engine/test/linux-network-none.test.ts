import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describeIntegration } from '@berth/testkit';
import { expect, it } from 'vitest';
import {
  execIn,
} from './support/linux-engine-fixture.js';
import { useLinuxEngine } from './support/linux-engine-suite.js';

// Network mode `none` gets the empty network namespace runc makes with the container (no
// namespace file of the engine's): what others join through it must still be that namespace.
describeIntegration('linux engine: network mode none', { root: true, commands: ['runc', 'conmon'] }, () => {
  const suite = useLinuxEngine('berth-linux-none');

  const startSleeper = async (networkMode: string): Promise<string> => {
    const { id } = await suite.engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], networkMode });
    await suite.engine.containers.start(id);
    return id;
  };
  const netnsOf = async (id: string) => (await execIn(suite.engine, id, ['readlink', '/proc/self/ns/net'])).output.trim();

  it('gives a none container its own namespace with loopback up, and no namespace file under the state root', async () => {
    const id = await startSleeper('none');
    const links = await execIn(suite.engine, id, ['ip', '-o', 'link', 'show']);
    expect(links.output.trim().split('\n')).toHaveLength(1);
    expect(links.output).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP>/);
    // Loopback answers.
    expect((await execIn(suite.engine, id, ['ping', '-c', '1', '-W', '2', '127.0.0.1'])).exitCode).toBe(0);
    const inside = await netnsOf(id);
    expect(inside).toMatch(/^net:\[\d+\]$/);
    expect(inside).not.toBe(await readlink('/proc/self/ns/net'));
    await expect(readlink(join(suite.roots.stateRoot, 'netns', id))).rejects.toMatchObject({ code: 'ENOENT' });
    // Its sandbox key names that namespace.
    const { networkSettings } = await suite.engine.containers.inspect(id);
    expect(await readlink(networkSettings.sandboxKey)).toBe(inside);
    await suite.engine.containers.remove(id, { force: true });
  });

  it('lets a container:<x> container join the namespace of a none container', async () => {
    const owner = await startSleeper('none');
    const joiner = await startSleeper(`container:${owner}`);
    expect(await netnsOf(joiner)).toBe(await netnsOf(owner));
    await suite.engine.containers.remove(joiner, { force: true });
    await suite.engine.containers.remove(owner, { force: true });
  });
});
