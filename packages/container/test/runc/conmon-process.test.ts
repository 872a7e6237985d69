import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isInternal, isInvalidArgument, isUnavailable } from '@berth/errdefs';
import { loadLinuxSyscalls } from '@berth/linux-syscalls';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ConmonLaunch, launchConmon } from '../../src/runc/conmon.js';
import { type ConmonCommand, startConmonProcess } from '../../src/runc/conmon-process.js';

/**
 * A stand-in for conmon, enough for the protocol: waits for the start byte on fd 4, reports
 * on fd 3 what it sees (its pid, session, working directory, stdin, environment), writes to
 * stderr and exits with `$EXIT_CODE`.
 */
const fakeConmon = `#!/bin/sh
head -c 1 <&4 >/dev/null
sid=$(cut -d ' ' -f 6 /proc/$$/stat)
printf '{"data":%s,"sid":%s,"cwd":"%s","stdin":"%s","pipes":"%s/%s","args":"%s"}\\n' \\
  $$ "$sid" "$(pwd)" "$(readlink /proc/$$/fd/0)" "$_OCI_SYNCPIPE" "$_OCI_STARTPIPE" "$*" >&3
echo "fake conmon diagnostics" >&2
exit "\${EXIT_CODE:-0}"
`;

interface Report {
  data: number;
  sid: number;
  cwd: string;
  stdin: string;
  pipes: string;
  args: string;
}

function readLine(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolve(text);
    });
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
  });
}

// Both ways of starting conmon: posix_spawn through the addon, and child_process.
describe.each([
  { path: 'posix_spawn', noNativeSpawn: '' },
  { path: 'child_process', noNativeSpawn: '1' },
])('startConmonProcess ($path)', ({ path, noNativeSpawn }) => {
  let temp: { path: string; remove: () => Promise<void> };
  let command: ConmonCommand;

  beforeEach(async () => {
    vi.stubEnv('BERTH_NO_NATIVE_SPAWN', noNativeSpawn);
    temp = await makeTempDir('berth-conmon-process');
    const program = join(temp.path, 'conmon');
    await writeFile(program, fakeConmon);
    await chmod(program, 0o755);
    command = {
      conmonPath: program,
      args: ['--api-version', '1', '-c', 'c1'],
      env: { PATH: '/usr/bin:/bin', _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
      cwd: temp.path,
      stderrPath: join(temp.path, 'conmon.log'),
    };
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await temp.remove();
  });

  it(`starts conmon ${path === 'posix_spawn' ? 'without forking this process' : 'with child_process'}`, async () => {
    const syscalls = loadLinuxSyscalls();
    if (syscalls === undefined) throw new Error('the addon is not built: run `npm run build:native -w @berth/linux-syscalls`');
    const spawn = vi.spyOn(syscalls, 'spawn');
    const conmon = startConmonProcess(command);
    try {
      conmon.start();
      await conmon.exited;
    } finally {
      conmon.close();
    }
    expect(spawn).toHaveBeenCalledTimes(path === 'posix_spawn' ? 1 : 0);
  });

  it('hands conmon the sync pipe as fd 3 and the start pipe as fd 4, in its own session and directory', async () => {
    await writeFile(command.stderrPath, 'earlier\n');
    const conmon = startConmonProcess(command);
    try {
      const line = readLine(conmon.sync);
      conmon.start();
      expect(await conmon.exited).toBe(0);
      const report = JSON.parse(await line) as Report;
      expect(report.sid).toBe(report.data);
      expect(report).toMatchObject({ cwd: temp.path, stdin: '/dev/null', pipes: '3/4', args: '--api-version 1 -c c1' });
    } finally {
      conmon.close();
    }
    expect(await readFile(command.stderrPath, 'utf8')).toBe('earlier\nfake conmon diagnostics\n');
  });

  it("reports conmon's exit code", async () => {
    const conmon = startConmonProcess({ ...command, env: { ...command.env, EXIT_CODE: '3' } });
    try {
      conmon.start();
      expect(await conmon.exited).toBe(3);
    } finally {
      conmon.close();
    }
  });

  it('fails with UnavailableError when conmon is not installed', async () => {
    const missing = join(temp.path, 'no-conmon');
    const err = await (async () => {
      const conmon = startConmonProcess({ ...command, conmonPath: missing });
      try {
        conmon.start();
        await conmon.exited;
      } finally {
        conmon.close();
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUnavailable(err)).toBe(true);
    expect((err as Error).message).toBe(`conmon is not installed at ${missing}`);
  });
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

// launchConmon over both paths, with a stand-in conmon that answers as the test needs.
describe.each([
  { path: 'posix_spawn', noNativeSpawn: '' },
  { path: 'child_process', noNativeSpawn: '1' },
])('launchConmon ($path)', ({ noNativeSpawn }) => {
  let temp: { path: string; remove: () => Promise<void> };
  let launch: ConmonLaunch;
  /** Pids the stand-ins left running, written to a file; killed after each test. */
  let strays: string;

  /** Installs a stand-in conmon that takes the start byte, then runs `body`. */
  async function fakeConmonDoing(body: string): Promise<void> {
    await writeFile(launch.conmonPath, `#!/bin/sh\nhead -c 1 <&4 >/dev/null\n${body}\n`);
    await chmod(launch.conmonPath, 0o755);
  }

  beforeEach(async () => {
    vi.stubEnv('BERTH_NO_NATIVE_SPAWN', noNativeSpawn);
    temp = await makeTempDir('berth-launch-conmon');
    strays = join(temp.path, 'strays');
    launch = {
      conmonPath: join(temp.path, 'conmon'),
      runcPath: '/usr/sbin/runc',
      runcRoot: join(temp.path, 'runc'),
      id: 'c1',
      bundle: join(temp.path, 'bundle'),
      pidFile: join(temp.path, 'pidfile'),
      conmonPidFile: join(temp.path, 'conmon.pid'),
      exitDir: join(temp.path, 'exits'),
      persistDir: temp.path,
      socketDir: join(temp.path, 'sockets'),
      logPath: join(temp.path, 'c1.log'),
      conmonLogPath: join(temp.path, 'conmon.log'),
      runcLogPath: join(temp.path, 'runc.log'),
      terminal: false,
      openStdin: false,
      leaveStdinOpen: false,
    };
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    const pids = (await readFile(strays, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await temp.remove();
  });

  it('resolves with the container PID conmon reports', async () => {
    await fakeConmonDoing('echo \'{"data": 4242}\' >&3');
    expect(await launchConmon(launch)).toBe(4242);
  });

  it("maps runc's failure as conmon reports it", async () => {
    await fakeConmonDoing('echo \'{"data": -1, "message": "exec: \\"nope\\": executable file not found in $PATH"}\' >&3');
    const err = await rejection(launchConmon(launch));
    expect(isInvalidArgument(err)).toBe(true);
    expect(err).toMatchObject({ details: { id: 'c1', exitCode: 127 } });
  });

  it('fails with InternalError, naming the log, when conmon exits with an error', async () => {
    await fakeConmonDoing('exit 1');
    const err = await rejection(launchConmon(launch));
    expect(isInternal(err)).toBe(true);
    expect((err as Error).message).toBe(`conmon for container c1 exited with code 1 (see ${launch.conmonLogPath})`);
  });

  it('fails with UnavailableError when conmon is not installed', async () => {
    const err = await rejection(launchConmon(launch));
    expect(isUnavailable(err)).toBe(true);
  });

  it('stops waiting for the answer when aborted', async () => {
    // The monitor lives on (holding the sync pipe) and never answers.
    await fakeConmonDoing(`sleep 30 & echo $! >> ${strays}`);
    const controller = new AbortController();
    const launched = launchConmon({ ...launch, signal: controller.signal });
    // Aborted once the monitor is there, i.e. while launchConmon waits on the sync pipe.
    await vi.waitFor(async () => expect(await readFile(strays, 'utf8')).not.toBe(''), { timeout: 10_000 });
    controller.abort(new Error('given up'));
    expect(await rejection(launched)).toMatchObject({ message: 'given up' });
  });
});
