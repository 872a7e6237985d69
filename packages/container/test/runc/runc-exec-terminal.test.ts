import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { describeIntegration } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ExecProcess } from '../../src/runtime/oci-runtime.js';
import { defaultRuntimeSpec } from '../../src/spec/default-spec.js';
import { buildRuntimeSpec } from '../../src/spec/spec-option.js';
import { withCgroupsPath } from '../../src/spec/with-namespaces.js';
import { withCwd, withEnv, withProcessArgs } from '../../src/spec/with-process.js';
import { withRootfs } from '../../src/spec/with-rootfs.js';
import { type RuncFixture, runcFixture } from './runc-fixture.js';

const path = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += Buffer.from(chunk as Buffer).toString();
  return text;
}

// What a terminal exec on runc (a conmon in exec mode) leaves behind: nothing.
describeIntegration('exec with a terminal on runc', { root: true, commands: ['runc', 'conmon', 'socat', 'stty'] }, () => {
  let fixture: RuncFixture;
  let counter = 0;

  beforeAll(async () => {
    fixture = await runcFixture();
  });

  afterAll(async () => {
    await fixture?.cleanup();
  });

  async function runningContainer(): Promise<string> {
    const id = `tty-${process.pid.toString(36)}-${counter++}`;
    const paths = await fixture.prepare(id);
    await mkdir(dirname(paths.logPath), { recursive: true });
    const spec = buildRuntimeSpec(defaultRuntimeSpec(), [
      withProcessArgs(['sleep', '1000']),
      withEnv([path]),
      withCwd('/'),
      withRootfs(paths.rootfs),
      withCgroupsPath(`${fixture.cgroupParent}/${id}`),
    ]);
    await fixture.runtime.create(id, { bundle: paths.bundle, spec, logPath: paths.logPath });
    await fixture.runtime.start(id);
    return id;
  }

  const terminalExec = (id: string, args: string[], stdin = false): Promise<ExecProcess> =>
    fixture.runtime.exec(id, { process: { args, env: [path], cwd: '/', user: { uid: 0, gid: 0 }, terminal: true }, stdin });

  /** What is left of execs: their directories and socket links, and monitors beyond the container's own. */
  async function execLeftovers(id: string) {
    const entries = await readdir(join(fixture.stateDir, 'containers', id));
    const sockets = await readdir(join(fixture.stateDir, 'exec-sockets')).catch(() => []);
    return { dirs: entries.filter((e) => e.startsWith('x')), sockets, conmons: (await fixture.leftovers()).conmons.length };
  }

  it('leaves no monitor, socat, socket or directory behind a finished terminal exec', async () => {
    const id = await runningContainer();
    try {
      const before = await execLeftovers(id);
      const shell = await terminalExec(id, ['sh', '-c', 'read line; echo "got $line"; exit 2'], true);
      shell.stdin!.write('hello\n');
      expect(await readAll(shell.stdout)).toBe('hello\r\ngot hello\r\n');
      expect((await shell.wait()).exitCode).toBe(2);
      expect(await execLeftovers(id)).toEqual(before);
      expect(before.dirs).toEqual([]);
    } finally {
      await fixture.runtime.delete(id, { force: true });
    }
  });

  it('fails a terminal exec of a missing program as runc does, leaving nothing', async () => {
    const id = await runningContainer();
    try {
      const before = await execLeftovers(id);
      await expect(terminalExec(id, ['no-such-program'])).rejects.toMatchObject({ code: 'InvalidArgument', details: { exitCode: 127 } });
      expect(await execLeftovers(id)).toEqual(before);
    } finally {
      await fixture.runtime.delete(id, { force: true });
    }
  });

  it('ends a terminal exec whose container is deleted under it', async () => {
    const id = await runningContainer();
    const shell = await terminalExec(id, ['sleep', '1000'], true);
    const output = readAll(shell.stdout);
    await fixture.runtime.delete(id, { force: true });
    expect((await shell.wait()).exitCode).toBe(137);
    expect(await output).toBe('');
    expect((await fixture.leftovers()).conmons).toEqual([]);
  });
});
