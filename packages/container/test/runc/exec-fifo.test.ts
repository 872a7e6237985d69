import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startThroughExecFifo } from '../../src/runc/exec-fifo.js';

const run = promisify(execFile);

// `runc start` without runc: bare runc containers of the host's static busybox, created with
// `runc create`, then started (or not) through their exec FIFO.
describeIntegration('starting a created runc container through its exec FIFO', { root: true, commands: ['runc'] }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  let bundle = '';
  let root = '';
  const created: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    dir = await makeTempDir('berth-exec-fifo');
    bundle = join(dir.path, 'bundle');
    root = join(dir.path, 'runc');
    await mkdir(join(bundle, 'rootfs', 'bin'), { recursive: true });
    await mkdir(root);
    await copyFile('/bin/busybox', join(bundle, 'rootfs', 'bin', 'busybox'));
    await run('runc', ['spec'], { cwd: bundle });
    const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { process: { args: string[]; terminal: boolean } };
    config.process.args = ['/bin/busybox', 'sleep', '1000'];
    config.process.terminal = false;
    await writeFile(join(bundle, 'config.json'), JSON.stringify(config));
  });

  afterEach(async () => {
    for (const id of created.splice(0)) await run('runc', ['--root', root, 'delete', '--force', id]).catch(() => undefined);
  });

  afterAll(async () => {
    await dir?.remove();
  });

  /** `runc create` of a new container; resolves to its ID and init PID. */
  const create = async (): Promise<{ id: string; pid: number }> => {
    const id = `fifo-${process.pid}-${counter++}`;
    const pidFile = join(dir.path, `${id}.pid`);
    created.push(id);
    // stdio closed: the container's init would hold our pipes open.
    const child = spawn('runc', ['--root', root, 'create', '--bundle', bundle, '--pid-file', pidFile, id], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('exit', resolve));
    expect(code).toBe(0);
    return { id, pid: Number((await readFile(pidFile, 'utf8')).trim()) };
  };
  const statusOf = async (id: string) => (JSON.parse((await run('runc', ['--root', root, 'state', id])).stdout) as { status: string }).status;

  it('lets the process of a created container run, as runc start does', async () => {
    const { id, pid } = await create();
    expect(await statusOf(id)).toBe('created');
    expect(await startThroughExecFifo(root, id, pid)).toBe(true);
    expect(await statusOf(id)).toBe('running');
    // The init process became the container's program.
    expect((await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')).toEqual(['/bin/busybox', 'sleep', '1000', '']);
  });

  it('cannot tell for a container that is not in the created state', async () => {
    const { id, pid } = await create();
    expect(await startThroughExecFifo(root, id, pid)).toBe(true);
    expect(await startThroughExecFifo(root, id, pid)).toBe(false);
    expect(await startThroughExecFifo(root, 'no-such-container', undefined)).toBe(false);
  });

  it('gives up when the init process of the created container is gone', async () => {
    const { id, pid } = await create();
    await run('runc', ['--root', root, 'kill', id, 'KILL']);
    expect(await startThroughExecFifo(root, id, pid)).toBe(false);
  });
});
