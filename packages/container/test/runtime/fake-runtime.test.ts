import { join } from 'node:path';
import { UnavailableError } from '@berth/errdefs';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/clock/manual-clock.js';
import { createFakeRuntime, type FakeRuntime } from '../../src/fake/fake-runtime.js';
import { readLogs } from '../../src/logs/read-logs.js';
import type { RuntimeCreateOptions } from '../../src/runtime/oci-runtime.js';
import { defaultRuntimeSpec } from '../../src/spec/default-spec.js';
import { buildRuntimeSpec } from '../../src/spec/spec-option.js';
import { withInit } from '../../src/spec/with-init.js';
import { withResources } from '../../src/spec/with-resources.js';
import { withProcessArgs, withTerminal } from '../../src/spec/with-process.js';

let dir: { path: string; remove: () => Promise<void> };
let clock: ManualClock;
let runtime: FakeRuntime;

beforeEach(async () => {
  dir = await makeTempDir('berth-fake');
  clock = createManualClock();
  runtime = createFakeRuntime({ clock });
});
afterEach(async () => {
  for (const c of await runtime.list()) await runtime.delete(c.id, { force: true });
  await dir.remove();
});

function createOptions(args: string[], extra: Partial<RuntimeCreateOptions> = {}, ...more: Parameters<typeof buildRuntimeSpec>[1]): RuntimeCreateOptions {
  return {
    bundle: dir.path,
    spec: buildRuntimeSpec(defaultRuntimeSpec(), [withProcessArgs(args), ...more]),
    logPath: join(dir.path, `${args.join('_').replace(/\W/g, '')}.log`),
    ...extra,
  };
}

async function logOf(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const e of readLogs(path)) lines.push(`${e.stream}:${e.message.toString()}@${e.timestamp.slice(17, 23)}`);
  return lines;
}

/** Resolves when the promise settles; `'pending'` if it has not after the clock settled. */
async function peek<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => setImmediate(() => resolve('pending'))))]);
}

describe('scripted timing on the clock', () => {
  it('sleeps take clock time, not real time', async () => {
    const options = createOptions(['sh', '-c', 'echo start; sleep 10; echo end; exit 2']);
    await runtime.create('a', options);
    await runtime.start('a');
    const exited = runtime.wait('a');
    await clock.advance(9_999);
    expect(await peek(exited)).toBe('pending');
    await clock.advance(1);
    expect(await exited).toMatchObject({ exitCode: 2, oomKilled: false, exitedAt: new Date('2024-01-01T00:00:10Z') });
    expect(await logOf(options.logPath)).toEqual(['stdout:start@00.000', 'stdout:end@10.000']);
  });

  it('paused time does not count', async () => {
    await runtime.create('p', createOptions(['sleep', '5']));
    await runtime.start('p');
    await clock.advance(2_000);
    await runtime.pause('p');
    await clock.advance(60_000);
    const exited = runtime.wait('p');
    expect(await peek(exited)).toBe('pending');
    await runtime.resume('p');
    await clock.advance(3_000);
    expect((await exited).exitCode).toBe(0);
  });

  it('scripts from behaviours: output over time, OOM', async () => {
    runtime.addBehaviour((p) =>
      p.args[0] === 'hog'
        ? { output: [{ text: 'allocating\n' }, { text: 'more\n', stream: 'stderr', atMs: 50 }], oomAtMs: 100, memoryBytes: 1 << 30 }
        : undefined,
    );
    const options = createOptions(['hog']);
    await runtime.create('h', options);
    await runtime.start('h');
    expect((await runtime.stats('h')).memory.usage).toBe(1 << 30);
    await clock.advance(100);
    expect(await runtime.wait('h')).toMatchObject({ exitCode: 137, oomKilled: true });
    expect((await runtime.state('h')).exit?.oomKilled).toBe(true);
    expect(await logOf(options.logPath)).toEqual(['stdout:allocating@00.000', 'stderr:more@00.050']);
  });

  it('later behaviours win; removing one restores the earlier', async () => {
    runtime.addBehaviour(() => ({ exit: { code: 1 } }));
    const remove = runtime.addBehaviour(() => ({ exit: { code: 2 } }));
    await runtime.create('b1', createOptions(['x']));
    await runtime.start('b1');
    expect((await runtime.wait('b1')).exitCode).toBe(2);
    remove();
    await runtime.create('b2', createOptions(['x']));
    await runtime.start('b2');
    expect((await runtime.wait('b2')).exitCode).toBe(1);
  });
});

describe('health checks', () => {
  it('scripts the results of exec’d health probes over time', async () => {
    // Unhealthy for the first two probes, healthy afterwards.
    let probes = 0;
    runtime.addBehaviour((p) =>
      p.kind === 'exec' && p.args[0] === 'healthcheck' ? { exit: { code: probes++ < 2 ? 1 : 0, atMs: 100 } } : undefined,
    );
    await runtime.create('hc', createOptions(['server']));
    await runtime.start('hc');
    const results: number[] = [];
    for (let i = 0; i < 3; i++) {
      const probe = await runtime.exec('hc', { process: { args: ['healthcheck'], cwd: '/', user: { uid: 0, gid: 0 } } });
      const done = probe.wait();
      await clock.advance(100);
      results.push((await done).exitCode);
    }
    expect(results).toEqual([1, 1, 0]);
  });
});

describe('signals', () => {
  it('PID 1 ignores signals it has no trap for; behind an init they terminate', async () => {
    await runtime.create('pid1', createOptions(['sleep', '1000']));
    await runtime.start('pid1');
    await runtime.kill('pid1', 'SIGTERM');
    expect(await peek(runtime.wait('pid1'))).toBe('pending');
    await runtime.kill('pid1', 'SIGKILL');
    expect((await runtime.wait('pid1')).exitCode).toBe(137);

    await runtime.create('init', createOptions(['sleep', '1000'], {}, withInit('/usr/bin/catatonit')));
    await runtime.start('init');
    await runtime.kill('init', 'SIGTERM');
    expect((await runtime.wait('init')).exitCode).toBe(143);
  });

  it('unknown programs run until signalled and die of it', async () => {
    await runtime.create('srv', createOptions(['nginx', '-g', 'daemon off;']));
    await runtime.start('srv');
    await clock.advance(3_600_000);
    expect((await runtime.state('srv')).status).toBe('running');
    await runtime.kill('srv', 'SIGQUIT');
    expect((await runtime.wait('srv')).exitCode).toBe(131);
  });

  it('signals sent while paused arrive on resume', async () => {
    await runtime.create('q', createOptions(['sh', '-c', "trap 'exit 9' USR1; sleep 1000"]));
    await runtime.start('q');
    await runtime.pause('q');
    await runtime.kill('q', 'SIGUSR1');
    expect(await peek(runtime.wait('q'))).toBe('pending');
    await runtime.resume('q');
    expect((await runtime.wait('q')).exitCode).toBe(9);
  });

  it('triggerOom kills the main process as the OOM killer would', async () => {
    await runtime.create('o', createOptions(['sleep', '1000']));
    await runtime.start('o');
    runtime.triggerOom('o');
    expect(await runtime.wait('o')).toMatchObject({ exitCode: 137, oomKilled: true });
  });
});

describe('stdio', () => {
  it('a terminal merges stderr into stdout', async () => {
    const options = createOptions(['sh', '-c', 'echo a; echo b >&2'], {}, withTerminal(true));
    await runtime.create('t', options);
    await runtime.start('t');
    await runtime.wait('t');
    expect(await logOf(options.logPath)).toEqual(['stdout:a@00.000', 'stdout:b@00.000']);
  });

  it('a shell without -c and without stdin exits at once; with open stdin it waits for its end', async () => {
    await runtime.create('sh1', createOptions(['sh']));
    await runtime.start('sh1');
    expect((await runtime.wait('sh1')).exitCode).toBe(0);

    await runtime.create('sh2', createOptions(['sh'], { openStdin: true, stdinOnce: true }));
    const session = await runtime.attach('sh2', { stdin: true });
    await runtime.start('sh2');
    expect(await peek(runtime.wait('sh2'))).toBe('pending');
    session.stdin!.end('exit\n');
    expect((await runtime.wait('sh2')).exitCode).toBe(0);
  });

  it('detaching keeps stdin open unless stdin-once', async () => {
    await runtime.create('c', createOptions(['cat'], { openStdin: true }));
    await runtime.start('c');
    const first = await runtime.attach('c', { stdin: true });
    first.stdin!.end();
    await first.close();
    expect(await peek(runtime.wait('c'))).toBe('pending');
    const second = await runtime.attach('c', { stdin: true, stdout: true });
    const echoed = new Promise<string>((resolve) => second.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
    second.stdin!.write('again\n');
    expect(await echoed).toBe('again\n');
    await second.close();
  });

  it('refuses stdin on a container created without it', async () => {
    await runtime.create('n', createOptions(['sleep', '1000']));
    await expect(runtime.attach('n', { stdin: true })).rejects.toMatchObject({ code: 'FailedPrecondition' });
  });

  it('exec processes die with the container', async () => {
    await runtime.create('e', createOptions(['sleep', '1000']));
    await runtime.start('e');
    const exec = await runtime.exec('e', { process: { args: ['sleep', '1000'], cwd: '/', user: { uid: 0, gid: 0 } } });
    expect((await runtime.top('e')).processes).toHaveLength(2);
    expect((await runtime.stats('e')).pids.current).toBe(2);
    await runtime.kill('e', 'SIGKILL');
    expect((await exec.wait()).exitCode).toBe(137);
  });

  it('rotates the log as asked', async () => {
    runtime.addBehaviour(() => ({ output: Array.from({ length: 50 }, (_, i) => ({ text: `line ${i}\n` })), exit: { code: 0 } }));
    const options = createOptions(['chatty'], { logMaxSize: 300, logMaxFiles: 2 });
    await runtime.create('r', options);
    await runtime.start('r');
    await runtime.wait('r');
    const lines = await logOf(options.logPath);
    expect(lines.at(-1)).toBe('stdout:line 49@00.000');
    expect(lines.length).toBeLessThan(50);
  });
});

describe('stats, faults and validation', () => {
  it('reports limits from the spec and CPU time from the clock', async () => {
    await runtime.create('s', createOptions(['sleep', '1000'], {}, withResources({ memory: 64 << 20, pidsLimit: 5 })));
    await runtime.start('s');
    await clock.advance(1_000);
    const stats = await runtime.stats('s');
    expect(stats.memory.limit).toBe(64 << 20);
    expect(stats.pids.limit).toBe(5);
    expect(stats.cpu.totalNs).toBe(10_000_000);
    expect(stats.read).toEqual(new Date('2024-01-01T00:00:01Z'));
  });

  it('makes the next call of an operation fail on demand', async () => {
    runtime.failNext('start', new UnavailableError('runc is busy'));
    await runtime.create('f', createOptions(['true']));
    await expect(runtime.start('f')).rejects.toThrow('runc is busy');
    await runtime.start('f');
    expect((await runtime.wait('f')).exitCode).toBe(0);
  });

  it('refuses bad IDs and empty processes', async () => {
    await expect(runtime.create('../x', createOptions(['true']))).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(runtime.create('empty', createOptions([]))).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('wait can be aborted', async () => {
    await runtime.create('w', createOptions(['sleep', '1000']));
    await runtime.start('w');
    const controller = new AbortController();
    const waiting = runtime.wait('w', { signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });

  it('keeps the spec it was given', async () => {
    const options = createOptions(['true']);
    await runtime.create('k', options);
    expect(runtime.specOf('k')).toEqual(options.spec);
  });
});
