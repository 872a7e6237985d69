import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InternalError } from '@berth/errdefs';
import { startConmonProcess } from './conmon-process.js';
import { runcError } from './runc-cli.js';

/** Everything conmon needs to create one container. */
export interface ConmonLaunch {
  conmonPath: string;
  runcPath: string;
  /** runc's `--root`. */
  runcRoot: string;
  id: string;
  bundle: string;
  /** Where runc writes the container's PID. */
  pidFile: string;
  /** Where conmon writes its own PID (to find it later, e.g. after an engine restart). */
  conmonPidFile: string;
  /** Directory conmon writes `<id>` into, with the exit code, when the container exits. */
  exitDir: string;
  /** Directory conmon keeps `exit` and `oom` in. */
  persistDir: string;
  /** Attach sockets: conmon links `<socketDir>/<id>` to the bundle, where the `attach` socket is. */
  socketDir: string;
  logPath: string;
  logMaxSize?: number;
  /** Where conmon's own diagnostics and runc's JSON log go. */
  conmonLogPath: string;
  runcLogPath: string;
  terminal: boolean;
  openStdin: boolean;
  /** Keep the container's stdin open when an attached client leaves (not stdin-once). */
  leaveStdinOpen: boolean;
  /**
   * A program (absolute path, then its arguments) conmon runs once the container has exited
   * and its exit is written down; conmon waits for it before leaving.
   */
  exitCommand?: readonly string[];
  signal?: AbortSignal;
}

/** The arguments conmon gets (podman's usage is the model). */
export function conmonArgs(launch: ConmonLaunch): string[] {
  const args = [
    '--api-version',
    '1',
    '-c',
    launch.id,
    '-u',
    launch.id,
    '-n',
    launch.id,
    '-r',
    launch.runcPath,
    '-b',
    launch.bundle,
    '-p',
    launch.pidFile,
    '--conmon-pidfile',
    launch.conmonPidFile,
    '--exit-dir',
    launch.exitDir,
    '--persist-dir',
    launch.persistDir,
    '--socket-dir-path',
    launch.socketDir,
    '-l',
    `k8s-file:${launch.logPath}`,
    '--log-level',
    'error',
    '--runtime-arg',
    '--root',
    '--runtime-arg',
    launch.runcRoot,
    '--runtime-arg',
    '--log-format=json',
    '--runtime-arg',
    '--log',
    `--runtime-arg=${launch.runcLogPath}`,
  ];
  if (launch.logMaxSize !== undefined) args.push('--log-size-max', String(launch.logMaxSize));
  if (launch.terminal) args.push('-t');
  else if (launch.openStdin) args.push('-i');
  if (launch.openStdin && launch.leaveStdinOpen) args.push('--leave-stdin-open');
  const [exitProgram, ...exitArgs] = launch.exitCommand ?? [];
  if (exitProgram !== undefined) {
    args.push('--exit-command', exitProgram);
    for (const arg of exitArgs) args.push(`--exit-command-arg=${arg}`);
  }
  return args;
}

/** conmon's answer on the sync pipe: the container PID, or a negative number and a message. */
interface SyncInfo {
  data: number;
  message?: string;
}

function readLine(stream: Readable, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (err?: Error) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) finish();
    };
    const onEnd = () => finish();
    const onError = (err: Error) => finish(err);
    const onAbort = () => finish(signal!.reason as Error);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function runcLogError(path: string): Promise<string | undefined> {
  try {
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    for (const line of lines.reverse()) {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (entry.level === 'error' && entry.msg) return entry.msg;
    }
  } catch {
    // No log, or not JSON: fall back to conmon's message.
  }
  return undefined;
}

/**
 * Starts one conmon for a container and has it run `runc create`: conmon is given a sync
 * pipe (`_OCI_SYNCPIPE`, fd 3) and a start pipe (`_OCI_STARTPIPE`, fd 4); a byte on the
 * start pipe lets it proceed, it double-forks (the direct child exits, the monitor lives
 * on in its own session, outliving the engine), and reports the container PID — or the
 * failure — as one JSON line on the sync pipe. Resolves with the container PID once the
 * container is created. runc's error is mapped with `runcError` (e.g. `InvalidArgument`
 * with exit code 127 for a command that does not exist). conmon is started without forking
 * the engine when `@berth/linux-syscalls` is built (`conmon-process.ts`).
 */
export async function launchConmon(launch: ConmonLaunch): Promise<number> {
  launch.signal?.throwIfAborted();
  const conmon = startConmonProcess({
    conmonPath: launch.conmonPath,
    args: conmonArgs(launch),
    // conmon drops its `oom` marker into its working directory: keep it in the container's.
    cwd: launch.persistDir,
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
    stderrPath: launch.conmonLogPath,
  });
  try {
    // Any byte: "you are in the right cgroup, go on".
    conmon.start();
    const line = readLine(conmon.sync, launch.signal);
    // Awaited after the exit: an abort or a broken pipe meanwhile must not go unhandled.
    line.catch(() => undefined);
    const code = await conmon.exited;
    if (code !== 0) {
      throw new InternalError(`conmon for container ${launch.id} exited with code ${code} (see ${launch.conmonLogPath})`);
    }
    const text = await line;
    let info: SyncInfo;
    try {
      info = JSON.parse(text) as SyncInfo;
    } catch (err) {
      throw new InternalError(`conmon for container ${launch.id} answered ${JSON.stringify(text)}`, { cause: err });
    }
    if (info.data < 0 || typeof info.data !== 'number') {
      const detail = (await runcLogError(launch.runcLogPath)) ?? info.message ?? 'unknown error';
      throw runcError('creating', launch.id, detail);
    }
    return info.data;
  } finally {
    conmon.close();
  }
}
