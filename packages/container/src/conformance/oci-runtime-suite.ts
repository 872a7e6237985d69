import type { Readable } from 'node:stream';
import { errorCode } from '@berth/errdefs';
import type { RuntimeSpec } from '@berth/spec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readLogs } from '../logs/read-logs.js';
import type { ExitStatus, OciRuntime, RuntimeCreateOptions } from '../runtime/oci-runtime.js';
import { defaultRuntimeSpec } from '../spec/default-spec.js';
import { buildRuntimeSpec } from '../spec/spec-option.js';
import { withHostname } from '../spec/with-hostname.js';
import { withCgroupsPath } from '../spec/with-namespaces.js';
import { withCwd, withEnv, withProcessArgs, withTerminal } from '../spec/with-process.js';
import { withRootfs } from '../spec/with-rootfs.js';
import { withUser } from '../spec/with-user.js';

/** Where a container of the suite lives. */
export interface SuiteBundle {
  /** An empty directory for the bundle. */
  bundle: string;
  /** A busybox root file system (a real one for a real runtime; any path for a fake). */
  rootfs: string;
  /** Where its log goes. */
  logPath: string;
}

/** What a runtime under test provides to the suite. */
export interface OciRuntimeFixture {
  runtime: OciRuntime;
  /** Prepares the bundle of container `id`; called once per container. */
  prepare(id: string): Promise<SuiteBundle>;
  /** cgroup parent of the suite's containers (default `/berth-conformance`). */
  cgroupParent?: string;
  /** A second runtime object over the same state, as after an engine restart (adoption tests run only with it). */
  reopen?(): Promise<OciRuntime>;
  /** Removes whatever the fixture made (called after the suite's own deletions). */
  cleanup(): Promise<void>;
}

/** What the runtime under test cannot do (those tests are skipped). */
export interface OciRuntimeCapabilities {
  /** Writing to a container's stdin through `attach` (default true). */
  attachStdin?: boolean;
}

/** Makes a fixture; called once per suite. */
export type OciRuntimeFactory = () => Promise<OciRuntimeFixture>;

/** What a suite container runs. */
interface SuiteProcess {
  args: string[];
  env?: string[];
  cwd?: string;
  user?: { uid: number; gid: number };
  hostname?: string;
  terminal?: boolean;
}

/** The PATH every suite process gets (runc looks commands up in the process's own PATH). */
const suitePath = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

async function readAll(stream: Readable | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString();
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return errorCode(err) ?? `foreign: ${(err as Error).message}`;
  }
  return undefined;
}

/**
 * The conformance suite of {@link OciRuntime}: every implementation (the fake, runc under
 * conmon) must pass it. Containers run busybox commands — `true`, `sh -c`, `echo`, `sleep`,
 * `cat`, `id`, `hostname` — that the fake interprets and a real runtime runs from the
 * fixture's busybox root file system. Each test deletes its containers.
 */
export function describeOciRuntime(name: string, factory: OciRuntimeFactory, capabilities: OciRuntimeCapabilities = {}): void {
  describe(`OciRuntime conformance: ${name}`, () => {
    let fixture: OciRuntimeFixture;
    let runtime: OciRuntime;
    const created = new Set<string>();
    let counter = 0;

    beforeAll(async () => {
      fixture = await factory();
      runtime = fixture.runtime;
    });

    afterEach(async () => {
      for (const id of created) {
        await runtime.delete(id, { force: true }).catch(() => undefined);
      }
      created.clear();
    });

    afterAll(async () => {
      await runtime?.close();
      await fixture?.cleanup();
    });

    const newId = () => `conf-${process.pid.toString(36)}-${Date.now().toString(36)}-${counter++}`;

    async function options(id: string, proc: SuiteProcess, extra: Partial<RuntimeCreateOptions> = {}): Promise<RuntimeCreateOptions> {
      const { bundle, rootfs, logPath } = await fixture.prepare(id);
      const spec: RuntimeSpec = buildRuntimeSpec(defaultRuntimeSpec(), [
        withProcessArgs(proc.args),
        withEnv([...suitePath, ...(proc.env ?? [])]),
        withCwd(proc.cwd ?? '/'),
        withUser(proc.user ?? { uid: 0, gid: 0 }),
        withHostname(proc.hostname ?? 'conformance'),
        withTerminal(proc.terminal ?? false),
        withRootfs(rootfs),
        withCgroupsPath(`${fixture.cgroupParent ?? '/berth-conformance'}/${id}`),
      ]);
      return { bundle, spec, logPath, ...extra };
    }

    async function createContainer(proc: SuiteProcess, extra: Partial<RuntimeCreateOptions> = {}) {
      const id = newId();
      const createOptions = await options(id, proc, extra);
      created.add(id);
      const state = await runtime.create(id, createOptions);
      return { id, state, logPath: createOptions.logPath };
    }

    async function run(proc: SuiteProcess): Promise<{ id: string; exit: ExitStatus; logPath: string }> {
      const { id, logPath } = await createContainer(proc);
      await runtime.start(id);
      const exit = await runtime.wait(id);
      return { id, exit, logPath };
    }

    async function logLines(logPath: string, stream?: 'stdout' | 'stderr'): Promise<string[]> {
      const lines: string[] = [];
      for await (const entry of readLogs(logPath, { stdout: stream !== 'stderr', stderr: stream !== 'stdout' })) {
        lines.push(entry.message.toString());
      }
      return lines;
    }

    /** Waits until the container's log has a line `text` (the process reached a point). */
    async function untilLogged(id: string, logPath: string, text: string): Promise<void> {
      for await (const entry of readLogs(logPath, { follow: true, followUntil: runtime.wait(id), pollIntervalMs: 20 })) {
        if (entry.message.toString() === text) return;
      }
      throw new Error(`container ${id} exited before logging ${text}`);
    }

    describe('create and inspect', () => {
      it('creates a container that waits to be started', async () => {
        const { id, state } = await createContainer({ args: ['true'] });
        expect(state).toMatchObject({ id, status: 'created' });
        expect(state.pid).toBeGreaterThan(0);
        expect((await runtime.state(id)).status).toBe('created');
        expect((await runtime.list()).map((c) => c.id)).toContain(id);
      });

      it('refuses a taken ID', async () => {
        const { id } = await createContainer({ args: ['true'] });
        expect(await codeOf(runtime.create(id, await options(`${id}-again`, { args: ['true'] })))).toBe('AlreadyExists');
      });

      it('reports unknown IDs as NotFound', async () => {
        const id = `${newId()}-missing`;
        for (const call of [
          () => runtime.state(id),
          () => runtime.start(id),
          () => runtime.kill(id, 'SIGKILL'),
          () => runtime.delete(id),
          () => runtime.wait(id),
          () => runtime.pause(id),
          () => runtime.exec(id, { process: { args: ['true'], env: suitePath, cwd: '/', user: { uid: 0, gid: 0 } } }),
        ]) {
          expect(await codeOf(call())).toBe('NotFound');
        }
      });
    });

    describe('running processes', () => {
      it('runs a process to its exit code', async () => {
        const ok = await run({ args: ['true'] });
        expect(ok.exit).toMatchObject({ exitCode: 0, oomKilled: false });
        const state = await runtime.state(ok.id);
        expect(state).toMatchObject({ status: 'stopped', pid: 0, exit: { exitCode: 0 } });
        expect((await run({ args: ['sh', '-c', 'exit 3'] })).exit.exitCode).toBe(3);
        expect((await run({ args: ['false'] })).exit.exitCode).toBe(1);
      });

      it('wait resolves at once for a stopped container, with the same status', async () => {
        const { id, exit } = await run({ args: ['sh', '-c', 'exit 4'] });
        expect(await runtime.wait(id)).toEqual(exit);
      });

      it('logs stdout and stderr apart', async () => {
        const { logPath } = await run({ args: ['sh', '-c', 'echo out1; echo err1 >&2; echo out2'] });
        expect(await logLines(logPath, 'stdout')).toEqual(['out1', 'out2']);
        expect(await logLines(logPath, 'stderr')).toEqual(['err1']);
      });

      it('runs with the env, working directory, user and hostname of its spec', async () => {
        const { logPath, exit } = await run({
          args: ['sh', '-c', 'echo $GREETING; pwd; id -u; id -g; hostname'],
          env: ['GREETING=hello'],
          cwd: '/tmp',
          user: { uid: 1000, gid: 1001 },
          hostname: 'suite-host',
        });
        expect(exit.exitCode).toBe(0);
        expect(await logLines(logPath)).toEqual(['hello', '/tmp', '1000', '1001', 'suite-host']);
      });

      it('refuses to start a container twice', async () => {
        const { id } = await run({ args: ['true'] });
        expect(await codeOf(runtime.start(id))).toBe('FailedPrecondition');
      });
    });

    describe('signals', () => {
      it('SIGKILL ends a process with 137', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        expect((await runtime.state(id)).status).toBe('running');
        await runtime.kill(id, 'SIGKILL');
        expect((await runtime.wait(id)).exitCode).toBe(137);
        expect(await codeOf(runtime.kill(id, 'SIGKILL'))).toBe('FailedPrecondition');
      });

      it('delivers signals the process traps', async () => {
        const { id, logPath } = await createContainer({ args: ['sh', '-c', "trap 'exit 7' TERM; echo ready; sleep 1000 & wait"] });
        await runtime.start(id);
        await untilLogged(id, logPath, 'ready');
        await runtime.kill(id, 'SIGTERM');
        expect((await runtime.wait(id)).exitCode).toBe(7);
      });

      it('refuses unknown signals', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        expect(await codeOf(runtime.kill(id, 'SIGNOPE'))).toBe('InvalidArgument');
      });
    });

    describe('pause and resume', () => {
      it('freezes and thaws a running container', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        await runtime.pause(id);
        expect((await runtime.state(id)).status).toBe('paused');
        expect(await codeOf(runtime.pause(id))).toBe('FailedPrecondition');
        await runtime.resume(id);
        expect((await runtime.state(id)).status).toBe('running');
        expect(await codeOf(runtime.resume(id))).toBe('FailedPrecondition');
      });

      it('a paused container can be killed', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        await runtime.pause(id);
        await runtime.delete(id, { force: true });
        expect(await codeOf(runtime.state(id))).toBe('NotFound');
      });

      it('refuses to pause a stopped container', async () => {
        const { id } = await run({ args: ['true'] });
        expect(await codeOf(runtime.pause(id))).toBe('FailedPrecondition');
      });
    });

    describe('delete', () => {
      it('deletes stopped and created containers; running ones only by force', async () => {
        const { id: stopped } = await run({ args: ['true'] });
        await runtime.delete(stopped);
        expect(await codeOf(runtime.state(stopped))).toBe('NotFound');
        const { id: fresh } = await createContainer({ args: ['true'] });
        await runtime.delete(fresh);
        expect(await codeOf(runtime.state(fresh))).toBe('NotFound');
        const { id: running } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(running);
        expect(await codeOf(runtime.delete(running))).toBe('FailedPrecondition');
        await runtime.delete(running, { force: true });
        expect((await runtime.list()).map((c) => c.id)).not.toContain(running);
      });
    });

    describe('exec', () => {
      it('runs processes in a running container, with their output and exit codes', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const echo = await runtime.exec(id, { process: { args: ['echo', 'hi'], env: suitePath, cwd: '/', user: { uid: 0, gid: 0 } } });
        expect(echo.pid).toBeGreaterThan(0);
        const [out, err] = await Promise.all([readAll(echo.stdout), readAll(echo.stderr)]);
        expect({ out, err }).toEqual({ out: 'hi\n', err: '' });
        expect((await echo.wait()).exitCode).toBe(0);

        const failing = await runtime.exec(id, {
          process: { args: ['sh', '-c', 'echo oops >&2; exit 5'], env: suitePath, cwd: '/', user: { uid: 0, gid: 0 } },
        });
        const [out2, err2] = await Promise.all([readAll(failing.stdout), readAll(failing.stderr)]);
        expect({ out2, err2 }).toEqual({ out2: '', err2: 'oops\n' });
        expect((await failing.wait()).exitCode).toBe(5);
      });

      it('feeds stdin to an exec’d process', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const cat = await runtime.exec(id, { process: { args: ['cat'], env: suitePath, cwd: '/', user: { uid: 0, gid: 0 } }, stdin: true });
        const output = readAll(cat.stdout);
        cat.stdin!.end('ping\n');
        expect(await output).toBe('ping\n');
        expect((await cat.wait()).exitCode).toBe(0);
      });

      it('runs an exec with the env and user it is given', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const probe = await runtime.exec(id, {
          process: { args: ['sh', '-c', 'echo $X; id -u'], env: ['X=42', 'PATH=/bin:/usr/bin'], cwd: '/', user: { uid: 1234, gid: 1234 } },
        });
        expect(await readAll(probe.stdout)).toBe('42\n1234\n');
        expect((await probe.wait()).exitCode).toBe(0);
      });

      const root = { cwd: '/', user: { uid: 0, gid: 0 } };

      /** Reads `stream` until `text` has arrived (a terminal keeps processes that read it alive). */
      async function readUntil(stream: Readable, text: string): Promise<string> {
        let received = '';
        for await (const chunk of stream) {
          received += Buffer.from(chunk as Buffer).toString();
          if (received.length >= text.length) break;
        }
        return received;
      }

      it('gives an exec a terminal: one raw stream with CR LF line endings, and its exit code', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const tty = await runtime.exec(id, { process: { args: ['sh', '-c', 'echo out; echo err >&2; exit 3'], env: suitePath, ...root, terminal: true } });
        expect(tty.pid).toBeGreaterThan(0);
        const [out, err] = await Promise.all([readAll(tty.stdout), readAll(tty.stderr)]);
        expect({ out, err }).toEqual({ out: 'out\r\nerr\r\n', err: '' });
        expect((await tty.wait()).exitCode).toBe(3);
      });

      it('runs a terminal exec with the env, user and working directory it is given', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const probe = await runtime.exec(id, {
          process: { args: ['sh', '-c', 'echo $X; id -u; pwd'], env: ['X=42', ...suitePath], cwd: '/tmp', user: { uid: 1234, gid: 1234 }, terminal: true },
        });
        expect(await readAll(probe.stdout)).toBe('42\r\n1234\r\n/tmp\r\n');
        expect((await probe.wait()).exitCode).toBe(0);
      });

      it('feeds stdin to an exec’s terminal, which echoes it; a signal ends the exec', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const cat = await runtime.exec(id, { process: { args: ['cat'], env: suitePath, ...root, terminal: true }, stdin: true });
        cat.stdin!.write('ping\n');
        // The terminal's echo of the line, then cat's copy of it.
        expect(await readUntil(cat.stdout, 'ping\r\nping\r\n')).toBe('ping\r\nping\r\n');
        await cat.kill('SIGKILL');
        expect((await cat.wait()).exitCode).toBe(137);
      });

      it('resizes an exec’s terminal', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const probe = await runtime.exec(id, { process: { args: ['sh', '-c', 'read line; stty size'], env: suitePath, ...root, terminal: true }, stdin: true });
        await probe.resize({ width: 100, height: 40 });
        probe.stdin!.write('go\n');
        expect(await readAll(probe.stdout)).toBe('go\r\n40 100\r\n');
        expect((await probe.wait()).exitCode).toBe(0);
        const plain = await runtime.exec(id, { process: { args: ['sleep', '1000'], env: suitePath, ...root } });
        expect(await codeOf(plain.resize({ width: 80, height: 24 }))).toBe('FailedPrecondition');
        await plain.kill('SIGKILL');
        await plain.wait();
      });

      it('refuses exec in a stopped container', async () => {
        const { id } = await run({ args: ['true'] });
        expect(await codeOf(runtime.exec(id, { process: { args: ['true'], cwd: '/', user: { uid: 0, gid: 0 } } }))).toBe(
          'FailedPrecondition',
        );
      });
    });

    describe('attach', () => {
      it.skipIf(capabilities.attachStdin === false)('connects a client to the stdio of the main process', async () => {
        const { id } = await createContainer({ args: ['cat'] }, { openStdin: true });
        const session = await runtime.attach(id, { stdin: true, stdout: true, stderr: true });
        await runtime.start(id);
        const firstChunk = new Promise<string>((resolve) => session.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
        session.stdin!.write('hello\n');
        expect(await firstChunk).toBe('hello\n');
        await session.close();
        await runtime.kill(id, 'SIGKILL');
        await runtime.wait(id);
      });

      it('streams output produced after attaching', async () => {
        const { id, logPath } = await createContainer({ args: ['sh', '-c', 'echo ready; sleep 1000 & wait'] });
        await runtime.start(id);
        await untilLogged(id, logPath, 'ready');
        const session = await runtime.attach(id, { stdout: true, stderr: true });
        const collected = readAll(session.stdout);
        await runtime.kill(id, 'SIGKILL');
        await runtime.wait(id);
        await session.close();
        // Everything before attaching is in the log, not the session.
        expect(await collected).not.toContain('ready');
      });

      it('refuses to attach to a stopped container', async () => {
        const { id } = await run({ args: ['true'] });
        expect(await codeOf(runtime.attach(id, { stdout: true }))).toBe('FailedPrecondition');
      });
    });

    describe('top and stats', () => {
      it('lists the processes of a running container', async () => {
        const { id, state } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const list = await runtime.top(id);
        expect(list.titles).toContain('PID');
        const cmd = list.titles.indexOf('CMD');
        const pid = list.titles.indexOf('PID');
        expect(list.processes.some((row) => row[cmd]!.includes('sleep') && row[pid] === String(state.pid))).toBe(true);
      });

      it('reports resource usage of a running container', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const stats = await runtime.stats(id);
        expect(stats.memory.usage).toBeGreaterThan(0);
        expect(stats.memory.limit).toBeGreaterThan(0);
        expect(stats.pids.current).toBeGreaterThanOrEqual(1);
        expect(stats.cpu.totalNs).toBeGreaterThanOrEqual(0);
        expect(stats.cpu.onlineCpus).toBeGreaterThan(0);
        expect(stats.read).toBeInstanceOf(Date);
      });

      it('updates the resource limits of a running container', async () => {
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const limit = 64 * 1024 * 1024;
        await runtime.update(id, { memory: { limit, swap: 2 * limit }, pids: { limit: 50 } });
        const stats = await runtime.stats(id);
        expect(stats.memory.limit).toBe(limit);
        expect(stats.pids.limit).toBe(50);
        expect(await codeOf(runtime.update(`${newId()}-missing`, { memory: { limit } }))).toBe('NotFound');
      });

      it('refuses top and stats of a stopped container', async () => {
        const { id } = await run({ args: ['true'] });
        expect(await codeOf(runtime.top(id))).toBe('FailedPrecondition');
        expect(await codeOf(runtime.stats(id))).toBe('FailedPrecondition');
      });
    });

    describe('adoption', () => {
      it('a new runtime object sees and controls containers made by an earlier one', async (context) => {
        if (!fixture.reopen) {
          context.skip();
          return;
        }
        const { id } = await createContainer({ args: ['sleep', '1000'] });
        await runtime.start(id);
        const again = await fixture.reopen();
        try {
          const seen = (await again.list()).find((c) => c.id === id);
          expect(seen?.status).toBe('running');
          await again.kill(id, 'SIGKILL');
          expect((await again.wait(id)).exitCode).toBe(137);
          expect((await runtime.state(id)).status).toBe('stopped');
        } finally {
          await again.close();
        }
      });
    });
  });
}
