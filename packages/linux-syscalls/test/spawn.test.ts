import { readFileSync, readdirSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { Socket } from 'node:net';
import { type LinuxSyscalls, type SpawnOptions, isSyscallError, loadLinuxSyscalls } from '@berth/linux-syscalls';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

let syscalls: LinuxSyscalls;
/** Descriptors this test opened and still owns; closed after each test. */
const open = new Set<number>();
/** Children spawned and not yet reaped; reaped (killed first) after each test. */
const unreaped = new Set<number>();

beforeAll(() => {
  const loaded = loadLinuxSyscalls();
  if (loaded === undefined) throw new Error('the addon is not built: run `npm run build:native -w @berth/linux-syscalls`');
  syscalls = loaded;
});

afterEach(async () => {
  for (const fd of open) syscalls.close(fd);
  open.clear();
  for (const pid of unreaped) {
    process.kill(pid, 'SIGKILL');
    await syscalls.waitpid(pid);
  }
  unreaped.clear();
});

function pipe(): [number, number] {
  const ends = syscalls.pipe();
  for (const fd of ends) open.add(fd);
  return ends;
}

function close(fd: number): void {
  open.delete(fd);
  syscalls.close(fd);
}

/**
 * Spawns with a pipe's write end wherever `fds(writeFd)` puts it; resolves with what the
 * child wrote to it and how it ended.
 */
async function spawnReading(options: Omit<SpawnOptions, 'fds'>, fds: (writeFd: number) => SpawnOptions['fds']) {
  const [readFd, writeFd] = pipe();
  const pid = syscalls.spawn({ ...options, fds: fds(writeFd) });
  unreaped.add(pid);
  close(writeFd);
  open.delete(readFd);
  const output = readAll(readFd);
  const exit = await syscalls.waitpid(pid);
  unreaped.delete(pid);
  return { pid, exit, output: await output };
}

/** Runs `/bin/sh -c script` with stdout on a pipe; resolves with what it wrote and how it ended. */
function sh(script: string, options: { env?: Record<string, string>; cwd?: string; setsid?: boolean } = {}) {
  return spawnReading({ file: '/bin/sh', args: ['-c', script], ...options }, (writeFd) => [null, writeFd, null]);
}

/** Everything written to a pipe until its last writer closes it; owns (closes) `fd`. */
function readAll(fd: number): Promise<string> {
  const socket = new Socket({ fd, readable: true, writable: false });
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
  });
}

/** `/proc/<pid>/stat` fields after the command name: state is [0], session id is [3]. */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

async function thrown(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('pipe and close', () => {
  it('makes a close-on-exec pipe whose ends close once', () => {
    const [readFd, writeFd] = pipe();
    expect(readFd).not.toBe(writeFd);
    for (const fd of [readFd, writeFd]) {
      // Flags word of /proc/self/fdinfo is octal; O_CLOEXEC is 02000000.
      const flags = /flags:\s*([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      expect(parseInt(flags ?? '0', 8) & 0o2000000).not.toBe(0);
    }
    close(readFd);
    close(writeFd);
    expect(() => syscalls.close(writeFd)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'close' }));
  });
});

describe('spawn and waitpid', () => {
  it('runs a program with the given descriptors only, and reports its exit code', async () => {
    const { exit, output } = await sh('echo out; ls -1 /proc/self/fd; exit 7');
    expect(exit).toEqual({ code: 7 });
    // 0, 1, 2 and the directory ls reads (3): nothing of this process leaked in.
    expect(output).toBe('out\n0\n1\n2\n3\n');
  });

  it('passes args as argv[1..]', async () => {
    const { exit, output } = await spawnReading({ file: '/bin/sh', args: ['-c', 'echo "$0 $1"', 'zero', 'one two'] }, (writeFd) => [null, writeFd]);
    expect(exit).toEqual({ code: 0 });
    expect(output).toBe('zero one two\n');
  });

  it('reports a death by signal by the signal name', async () => {
    const { exit } = await sh('kill -TERM $$');
    expect(exit).toEqual({ signal: 'SIGTERM' });
  });

  it('gives the child exactly the environment and working directory asked for', async () => {
    const temp = await makeTempDir('berth-spawn');
    try {
      const { exit, output } = await sh('pwd; env | sort', { env: { GREETING: 'hello world', EMPTY: '' }, cwd: temp.path });
      expect(exit).toEqual({ code: 0 });
      const [cwd, ...env] = output.trim().split('\n');
      expect(cwd).toBe(await realpath(temp.path));
      // dash adds PWD (and nothing else) of its own.
      expect(env.filter((line) => !line.startsWith('PWD='))).toEqual(['EMPTY=', 'GREETING=hello world']);
    } finally {
      await temp.remove();
    }
  });

  it('inherits this process environment when none is given', async () => {
    process.env.BERTH_SPAWN_TEST = 'inherited';
    try {
      const { output } = await sh('echo "$BERTH_SPAWN_TEST"');
      expect(output).toBe('inherited\n');
    } finally {
      delete process.env.BERTH_SPAWN_TEST;
    }
  });

  it('starts the child in a session of its own with setsid, in ours without', async () => {
    const own = await sh('cat /proc/$$/stat', { setsid: true });
    expect(Number(statFields(own.output)[3])).toBe(own.pid);
    const ours = await sh('cat /proc/$$/stat');
    expect(Number(statFields(ours.output)[3])).toBe(Number(statFields(readFileSync('/proc/self/stat', 'utf8'))[3]));
  });

  it('starts the child with no signal ignored or blocked (Node ignores SIGPIPE)', async () => {
    // SIGPIPE is ignored in this Node process; the child must not inherit that.
    expect(/SigIgn:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]).not.toBe('0000000000000000');
    const { output } = await sh('exec grep -E "^Sig(Ign|Blk)" /proc/self/status');
    expect(output).toBe('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
  });

  it('lets SIGPIPE kill a child that writes to a pipe nobody reads', async () => {
    const [readFd, writeFd] = pipe();
    close(readFd);
    const pid = syscalls.spawn({ file: '/bin/sh', args: ['-c', 'echo lost'], fds: [null, writeFd] });
    unreaped.add(pid);
    close(writeFd);
    expect(await syscalls.waitpid(pid)).toEqual({ signal: 'SIGPIPE' });
    unreaped.delete(pid);
  });

  it('maps parent descriptors below the child count without clobbering one another', async () => {
    // Child fds 3 and 4 ← the pipe's write end (a parent descriptor that may itself be 3 or 4).
    const { exit, output } = await spawnReading({ file: '/bin/sh', args: ['-c', 'echo three >&3; echo four >&4'] }, (writeFd) => [null, null, null, writeFd, writeFd]);
    expect(exit).toEqual({ code: 0 });
    expect(output).toBe('three\nfour\n');
  });

  it('throws ENOENT for a program that does not exist, leaving no child', async () => {
    const err = await thrown(() => syscalls.spawn({ file: '/nonexistent/berth-program' }));
    expect(isSyscallError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'posix_spawn', path: '/nonexistent/berth-program' });
    expect((err as Error).message).toContain('/nonexistent/berth-program');
    // glibc reaps a child whose exec failed before posix_spawn returns.
    expect(zombies()).toEqual([]);
  });

  it('throws ENOENT for a working directory that does not exist', async () => {
    const err = await thrown(() => syscalls.spawn({ file: '/bin/true', cwd: '/nonexistent/berth-dir' }));
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'posix_spawn' });
  });

  it('leaves no zombie once waited for, and refuses to wait twice', async () => {
    const pid = syscalls.spawn({ file: '/bin/true' });
    unreaped.add(pid);
    expect(await syscalls.waitpid(pid)).toEqual({ code: 0 });
    unreaped.delete(pid);
    expect(children()).not.toContain(pid);
    expect(zombies()).toEqual([]);
    const err = await thrown(() => syscalls.waitpid(pid));
    expect(err).toMatchObject({ code: 'ECHILD', syscall: 'waitpid' });
  });

  it('rejects arguments of the wrong type before starting anything', () => {
    expect(() => syscalls.spawn({ file: 42 as unknown as string })).toThrow(TypeError);
    expect(() => syscalls.spawn({ file: '/bin/true', args: 'x' as unknown as string[] })).toThrow(TypeError);
    expect(() => syscalls.spawn({ file: '/bin/true', env: { 'A=B': 'c' } })).toThrow(TypeError);
    expect(() => syscalls.spawn({ file: '/bin/true', fds: [-1] })).toThrow(TypeError);
    // 0 and negative pids would wait for any child, libuv's included.
    expect(() => syscalls.waitpid(0)).toThrow(TypeError);
    expect(() => syscalls.waitpid(-1)).toThrow(TypeError);
  });
});

/** This process's children, zombies included (each thread's children: the thread that spawned is the parent). */
function children(): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const listed = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim();
    if (listed !== '') pids.push(...listed.split(' ').map(Number));
  }
  return pids;
}

/** Children that exited and were not reaped. */
function zombies(): number[] {
  return children().filter((pid) => statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[0] === 'Z');
}
