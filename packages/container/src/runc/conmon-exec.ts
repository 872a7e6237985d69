import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { FailedPreconditionError, InternalError, InvalidArgumentError, UnavailableError } from '@berth/errdefs';
import { parseSignal } from '../config/signals.js';
import { parseLogLine } from '../logs/log-line.js';
import { followLines } from '../logs/read-lines.js';
import type { ExecOptions, ExecProcess, ExitStatus, TerminalSize } from '../runtime/oci-runtime.js';
import { runcError } from './runc-cli.js';
import { endSocketBridge } from './conmon-attach.js';
import { delay, processAlive } from './process-alive.js';
import { lastLogMessage } from './runc-exec.js';

/** What {@link conmonExec} needs. */
export interface ConmonExecParams {
  conmonPath: string;
  runcPath: string;
  /** runc's `--root`. */
  runcRoot: string;
  /** socat binary: writes to the exec's stdin through conmon's attach socket. */
  socatPath: string;
  /** stty binary of the host (coreutils), to see a resize take effect. */
  sttyPath?: string;
  /** A directory to make the exec's own directory in (removed when the exec ends). */
  workDir: string;
  /** Where conmon links the exec's attach socket (`<socketDir>/<session>/attach`); keep it short. */
  socketDir: string;
  id: string;
  options: ExecOptions;
}

/** One JSON line of conmon's sync pipe: a PID, then an exit code; negative with a message on failure. */
interface SyncMessage {
  data: number;
  message?: string;
}

/** Reads conmon's sync pipe one JSON message at a time. */
function syncMessages(pipe: Readable): () => Promise<SyncMessage | undefined> {
  let text = '';
  let ended = false;
  let waiting: (() => void) | undefined;
  pipe.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    waiting?.();
  });
  const onEnd = () => {
    ended = true;
    waiting?.();
  };
  pipe.on('end', onEnd);
  pipe.on('close', onEnd);
  pipe.on('error', onEnd);
  return async () => {
    for (;;) {
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        const line = text.slice(0, newline).trim();
        text = text.slice(newline + 1);
        if (line === '') continue;
        try {
          return JSON.parse(line) as SyncMessage;
        } catch (err) {
          throw new InternalError(`conmon answered ${JSON.stringify(line)} on its sync pipe`, { cause: err });
        }
      }
      if (ended) return undefined;
      await new Promise<void>((resolve) => (waiting = resolve));
      waiting = undefined;
    }
  };
}

/** Runs `stty` with `args` and gives its output, or `undefined` if it failed. */
function stty(path: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', () => resolve(undefined));
    child.once('close', (code) => resolve(code === 0 ? out.trim() : undefined));
  });
}

/**
 * Runs a process with a terminal in a running container, under its own conmon in exec
 * mode (`conmon --exec`, podman's way): runc hands the pseudo-terminal's master to conmon
 * over a console socket (SCM_RIGHTS, which Node cannot receive), conmon writes what the
 * terminal prints to the exec's own k8s-file log — followed here into `stdout` (a terminal
 * has no stderr) — and reports the PID, then the exit code, on its sync pipe. Stdin goes to
 * the terminal through conmon's attach socket (socat bridges the SOCK_SEQPACKET socket),
 * resizes through its control FIFO. Resolves once the process runs; rejects with runc's
 * error mapped by `runcError` (`InvalidArgument` with exit code 127 for a missing program).
 * Everything — the exec's directory, socket link, conmon and socat — is gone once `wait()`
 * resolves.
 */
export async function conmonExec(params: ConmonExecParams): Promise<ExecProcess> {
  const { id, options } = params;
  options.signal?.throwIfAborted();
  if (!options.process.args?.length) throw new InvalidArgumentError('exec needs a command (process.args is empty)');
  const session = `x${randomBytes(8).toString('hex')}`;
  const dir = join(params.workDir, session);
  const exitDir = join(dir, 'exit');
  const logPath = join(dir, 'output.log');
  const conmonPidFile = join(dir, 'conmon.pid');
  await mkdir(exitDir, { recursive: true, mode: 0o700 });
  await mkdir(params.socketDir, { recursive: true, mode: 0o700 });
  const cleanup = () =>
    Promise.all([rm(dir, { recursive: true, force: true }), rm(join(params.socketDir, session), { force: true })]).then(() => undefined);

  let conmon: ChildProcess;
  try {
    await writeFile(join(dir, 'process.json'), JSON.stringify({ ...options.process, terminal: true }));
    const stderrFd = openSync(join(dir, 'conmon.log'), 'a');
    try {
      conmon = spawn(
        params.conmonPath,
        [
          '--api-version', '1',
          '-c', id,
          '-u', session,
          '-n', id,
          '-r', params.runcPath,
          '-b', dir,
          '-p', join(dir, 'pid'),
          '--conmon-pidfile', conmonPidFile,
          '--exit-dir', exitDir,
          '--socket-dir-path', params.socketDir,
          '-l', `k8s-file:${logPath}`,
          '--log-level', 'error',
          '--runtime-arg', '--root',
          '--runtime-arg', params.runcRoot,
          '--runtime-arg', '--log-format=json',
          '--runtime-arg', '--log',
          `--runtime-arg=${join(dir, 'runc.log')}`,
          '--exec',
          '--exec-process-spec', join(dir, 'process.json'),
          '-t',
        ],
        {
          stdio: ['ignore', 'ignore', stderrFd, 'pipe', 'pipe'],
          cwd: dir,
          env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
          detached: true,
        },
      );
    } finally {
      closeSync(stderrFd);
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  const sync = conmon.stdio[3] as Readable;
  const start = conmon.stdio[4] as NodeJS.WritableStream & { destroy(): void };
  const nextMessage = syncMessages(sync);
  const launched = new Promise<void>((resolve, reject) => {
    conmon.once('spawn', resolve);
    conmon.once('error', (err) =>
      reject(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new UnavailableError(`conmon is not installed at ${params.conmonPath}`, { cause: err })
          : err,
      ),
    );
  });
  // conmon's monitor outlives this child (it double-forks); the child itself leaves at once.
  conmon.unref();

  let pid: number;
  try {
    await launched;
    // Any byte: "go on" (conmon waits for it to be put in the right cgroup by a caller that cares).
    start.write(Buffer.from([0]));
    const first = await nextMessage();
    if (!first || typeof first.data !== 'number' || first.data <= 0) {
      const detail = (await lastLogMessage(join(dir, 'runc.log'))) ?? first?.message ?? 'conmon exited without starting it';
      throw runcError('exec in', id, detail);
    }
    pid = first.data;
  } catch (err) {
    sync.destroy();
    start.destroy();
    await cleanup();
    throw err;
  } finally {
    start.destroy();
  }

  const exited = nextMessage()
    .catch(() => undefined)
    .then(async (message): Promise<ExitStatus> => {
      // Without a message conmon was killed: the exit file may still say how the process ended.
      const code =
        message?.data ??
        Number.parseInt(await readFile(join(exitDir, id), 'utf8').catch(() => ''), 10);
      return { exitCode: Number.isInteger(code) && code >= 0 ? code : 255, exitedAt: new Date(), oomKilled: false };
    })
    .finally(() => sync.destroy());

  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stderr.end();
  const pump = (async () => {
    try {
      for await (const raw of followLines(logPath, 0, { until: exited, pollIntervalMs: 50 })) {
        const line = parseLogLine(raw);
        if (!line) continue;
        stdout.write(line.partial ? line.content : Buffer.concat([line.content, Buffer.from('\n')]));
      }
    } catch {
      // The log went away with the exec's directory: nothing more to read.
    } finally {
      stdout.end();
    }
  })();

  let bridge: ChildProcess | undefined;
  let stdin: PassThrough | undefined;
  if (options.stdin) {
    // Writes are taken at once and reach the terminal once socat is connected.
    stdin = new PassThrough();
    bridge = spawn(params.socatPath, ['-', `UNIX-CONNECT:${join(params.socketDir, session, 'attach')},type=5`], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    bridge.once('error', () => stdin!.resume());
    bridge.stdin!.on('error', () => undefined);
    // What conmon sends back on the socket is the output, read from the log instead.
    bridge.stdout!.resume();
    stdin.pipe(bridge.stdin!);
    bridge.once('close', () => {
      stdin!.unpipe();
      stdin!.resume();
    });
  }

  const finished = exited.then(async (status) => {
    await pump;
    // conmon closed the socket as it left: socat follows at once, or is made to.
    if (bridge) await endSocketBridge(bridge);
    // conmon leaves right after reporting the exit: wait for it so nothing outlives wait().
    const monitor = Number((await readFile(conmonPidFile, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(monitor) && monitor > 1) {
      for (let i = 0; i < 200 && (await processAlive(monitor)); i++) await delay(10);
    }
    await cleanup();
    return status;
  });

  const sttyPath = params.sttyPath ?? 'stty';
  return {
    pid,
    stdin,
    stdout,
    stderr,
    wait: () => finished.then((s) => ({ ...s })),
    async kill(signal) {
      const { number } = parseSignal(signal);
      try {
        process.kill(pid, number);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    },
    async resize(size: TerminalSize) {
      const height = Math.trunc(size.height);
      const width = Math.trunc(size.width);
      if (!(height >= 0 && width >= 0 && height <= 1000 && width <= 1000)) {
        throw new InvalidArgumentError(`invalid terminal size ${size.width}x${size.height} (each must be 0 to 1000)`);
      }
      let handle;
      try {
        handle = await open(join(dir, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (err) {
        throw new FailedPreconditionError(`exec in container ${id} is not running`, { cause: err });
      }
      try {
        // conmon's control FIFO: "1 <height> <width>" resizes the terminal.
        await handle.write(`1 ${height} ${width}\n`);
      } finally {
        await handle.close();
      }
      // conmon applies it on a later turn of its loop: look at the terminal until it has
      // (briefly; a process that closed its terminal cannot be looked at).
      const terminal = `/proc/${pid}/fd/0`;
      for (let i = 0; i < 50; i++) {
        const seen = await stty(sttyPath, ['-F', terminal, 'size']);
        if (seen === undefined || seen === `${height} ${width}`) return;
        await delay(10);
      }
    },
  };
}
