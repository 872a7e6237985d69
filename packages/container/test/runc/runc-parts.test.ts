import { writeFile, mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCgroupStats } from '../../src/runc/cgroup-stats.js';
import { conmonArgs, type ConmonLaunch } from '../../src/runc/conmon.js';
import { ExitWatcher } from '../../src/runc/exit-watcher.js';
import { parsePsTable, runcError } from '../../src/runc/runc-cli.js';

describe('parsePsTable', () => {
  it('splits columns and keeps spaces in the command', () => {
    const out = [
      'UID          PID    PPID  C STIME TTY          TIME CMD',
      'root       12345   12300  0 10:00 ?        00:00:00 sh -c sleep 1000 & wait',
      'root       12350   12345  0 10:00 ?        00:00:00 sleep 1000',
      '',
    ].join('\n');
    expect(parsePsTable(out)).toEqual({
      titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      processes: [
        ['root', '12345', '12300', '0', '10:00', '?', '00:00:00', 'sh -c sleep 1000 & wait'],
        ['root', '12350', '12345', '0', '10:00', '?', '00:00:00', 'sleep 1000'],
      ],
    });
    expect(() => parsePsTable('')).toThrow(/no header/);
  });
});

describe('runcError', () => {
  it('maps runc messages to the taxonomy', () => {
    const code = (stderr: string) => runcError('doing', 'c1', stderr).code;
    expect(code('time="2024" level=error msg="container does not exist"')).toBe('NotFound');
    expect(code('container not running')).toBe('FailedPrecondition');
    expect(code('cannot start a container that has stopped')).toBe('FailedPrecondition');
    expect(code('container not paused')).toBe('FailedPrecondition');
    const notFound = runcError('creating', 'c1', 'exec: "nope": executable file not found in $PATH');
    expect(notFound).toMatchObject({ code: 'InvalidArgument', details: { exitCode: 127 } });
    expect(notFound.message).toBe('creating c1: exec: "nope": executable file not found in $PATH');
    expect(runcError('creating', 'c1', 'exec: "/etc": permission denied')).toMatchObject({ details: { exitCode: 126 } });
    expect(code('something odd')).toBe('Internal');
  });
});

describe('conmonArgs', () => {
  const launch: ConmonLaunch = {
    conmonPath: '/usr/bin/conmon',
    runcPath: '/usr/sbin/runc',
    runcRoot: '/run/b/runc',
    id: 'c1',
    bundle: '/b/c1',
    pidFile: '/run/b/containers/c1/pidfile',
    conmonPidFile: '/run/b/containers/c1/conmon.pid',
    exitDir: '/run/b/exits',
    persistDir: '/var/b/c1',
    socketDir: '/run/b/sockets',
    logPath: '/var/log/c1.log',
    conmonLogPath: '/run/b/containers/c1/conmon.log',
    runcLogPath: '/run/b/containers/c1/runc.log',
    terminal: false,
    openStdin: false,
    leaveStdinOpen: true,
  };

  it('passes ids, paths, runc root and the k8s-file log', () => {
    const args = conmonArgs(launch);
    expect(args.slice(0, 6)).toEqual(['--api-version', '1', '-c', 'c1', '-u', 'c1']);
    expect(args).toContain('k8s-file:/var/log/c1.log');
    expect(args.join(' ')).toContain('--runtime-arg --root --runtime-arg /run/b/runc');
    expect(args).not.toContain('-i');
    expect(args).not.toContain('-t');
    expect(args).not.toContain('--leave-stdin-open');
  });

  it('asks for stdin, a terminal, and a log size limit', () => {
    expect(conmonArgs({ ...launch, openStdin: true })).toEqual(expect.arrayContaining(['-i', '--leave-stdin-open']));
    expect(conmonArgs({ ...launch, openStdin: true, leaveStdinOpen: false })).not.toContain('--leave-stdin-open');
    const tty = conmonArgs({ ...launch, terminal: true, openStdin: true });
    expect(tty).toContain('-t');
    expect(tty).not.toContain('-i');
    expect(conmonArgs({ ...launch, logMaxSize: 1024 }).join(' ')).toContain('--log-size-max 1024');
  });

  it('gives conmon an exit command with its arguments, only when asked', () => {
    expect(conmonArgs(launch)).not.toContain('--exit-command');
    const args = conmonArgs({ ...launch, exitCommand: ['/usr/sbin/runc', '--root', '/run/b/runc', 'delete', 'c1'] });
    const at = args.indexOf('--exit-command');
    expect(args.slice(at, at + 6)).toEqual([
      '--exit-command',
      '/usr/sbin/runc',
      '--exit-command-arg=--root',
      '--exit-command-arg=/run/b/runc',
      '--exit-command-arg=delete',
      '--exit-command-arg=c1',
    ]);
  });
});

describe('ExitWatcher', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let watcher: ExitWatcher;
  beforeEach(async () => {
    dir = await makeTempDir('berth-exits');
    await mkdir(join(dir.path, 'exits'));
    await mkdir(join(dir.path, 'persist', 'c2'), { recursive: true });
    watcher = new ExitWatcher(join(dir.path, 'exits'), join(dir.path, 'persist'));
  });
  afterEach(async () => {
    watcher.close();
    await dir.remove();
  });

  it('reads exit codes, times and OOM marks as conmon writes them', async () => {
    expect(await watcher.read('c1')).toBeUndefined();
    await writeFile(join(dir.path, 'exits', 'c1'), '');
    expect(await watcher.read('c1')).toBeUndefined();
    await writeFile(join(dir.path, 'exits', 'c1'), '3');
    const when = new Date('2024-01-01T00:00:00Z');
    await utimes(join(dir.path, 'exits', 'c1'), when, when);
    expect(await watcher.read('c1')).toEqual({ exitCode: 3, exitedAt: when, oomKilled: false });
    await writeFile(join(dir.path, 'exits', 'c2'), '137');
    await writeFile(join(dir.path, 'persist', 'c2', 'oom'), '');
    expect(await watcher.read('c2')).toMatchObject({ exitCode: 137, oomKilled: true });
  });

  it('wakes waiters when the exit file appears, and can be aborted or abandoned', async () => {
    const waiting = watcher.wait('c1');
    const controller = new AbortController();
    const aborted = watcher.wait('c3', controller.signal);
    const abandoned = watcher.wait('c4');
    await writeFile(join(dir.path, 'exits', 'c1'), '0');
    expect((await waiting).exitCode).toBe(0);
    controller.abort(new Error('no longer'));
    await expect(aborted).rejects.toThrow('no longer');
    watcher.abandon('c4', new Error('deleted'));
    await expect(abandoned).rejects.toThrow('deleted');
  });
});

describe('readCgroupStats', () => {
  it('reads the cgroup counters of a live process (this one: maybe a root cgroup, without pids.current)', async () => {
    const stats = await readCgroupStats(process.pid);
    expect(stats.memory.usage).toBeGreaterThan(0);
    expect(stats.memory.limit).toBeGreaterThan(0);
    expect(stats.cpu.totalNs).toBeGreaterThan(0);
    expect(stats.cpu.onlineCpus).toBeGreaterThan(0);
    expect(stats.pids.current).toBeGreaterThanOrEqual(0);
  });

  it('says a gone process is not running', async () => {
    await expect(readCgroupStats(2 ** 22 + 12345)).rejects.toMatchObject({ code: 'FailedPrecondition' });
  });
});
