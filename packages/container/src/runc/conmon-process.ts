import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { UnavailableError } from '@berth/errdefs';
import { type LinuxSyscalls, loadLinuxSyscalls } from '@berth/linux-syscalls';

/** How to start one conmon: the program, its arguments and environment, where it runs. */
export interface ConmonCommand {
  conmonPath: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Its working directory (conmon drops its `oom` marker there). */
  cwd: string;
  /** Where its stderr goes (appended). */
  stderrPath: string;
}

/**
 * A started conmon, before it runs anything: it holds the write end of the sync pipe as
 * fd 3 and the read end of the start pipe as fd 4, in a session of its own (its monitor
 * outlives the engine). Its stdin and stdout are `/dev/null`.
 */
export interface ConmonProcess {
  /** The read end of the sync pipe, where conmon reports the container PID or its failure. */
  sync: Readable;
  /** Sends the byte on the start pipe that lets conmon go on. */
  start(): void;
  /** The exit code of the direct child (it exits once it has forked the monitor); -1 when killed by a signal. */
  exited: Promise<number>;
  /** Closes this process's ends of both pipes. */
  close(): void;
}

/**
 * Starts conmon with `posix_spawn(3)` through `@berth/linux-syscalls` — a fork of the
 * engine process copies its page tables, milliseconds on every container start — or with
 * `child_process.spawn` when the addon is not built or `BERTH_NO_NATIVE_SPAWN=1` asks for
 * it (the tests run both paths). A missing conmon is an `UnavailableError`: thrown here on
 * the native path, a rejection of `exited` on the other.
 */
export function startConmonProcess(command: ConmonCommand): ConmonProcess {
  const syscalls = nativeSpawn();
  return syscalls ? spawnNatively(syscalls, command) : spawnWithChildProcess(command);
}

function nativeSpawn(): LinuxSyscalls | undefined {
  const off = process.env.BERTH_NO_NATIVE_SPAWN;
  if (off !== undefined && off !== '' && off !== '0') return undefined;
  return loadLinuxSyscalls();
}

function notInstalled(command: ConmonCommand, err: unknown): unknown {
  return (err as NodeJS.ErrnoException).code === 'ENOENT'
    ? new UnavailableError(`conmon is not installed at ${command.conmonPath}`, { cause: err })
    : err;
}

function spawnNatively(syscalls: LinuxSyscalls, command: ConmonCommand): ConmonProcess {
  const [syncRead, syncWrite] = syscalls.pipe();
  let startRead: number;
  let startWrite: number;
  try {
    [startRead, startWrite] = syscalls.pipe();
  } catch (err) {
    syscalls.close(syncRead);
    syscalls.close(syncWrite);
    throw err;
  }
  let pid: number;
  try {
    const stderrFd = openSync(command.stderrPath, 'a');
    try {
      pid = syscalls.spawn({
        file: command.conmonPath,
        args: command.args,
        env: command.env,
        cwd: command.cwd,
        fds: [null, null, stderrFd, syncWrite, startRead],
        setsid: true,
      });
    } finally {
      closeSync(stderrFd);
    }
  } catch (err) {
    syscalls.close(syncRead);
    syscalls.close(startWrite);
    throw notInstalled(command, err);
  } finally {
    // conmon has its own copies now (or never started): ours would keep the pipes open after it is gone.
    syscalls.close(syncWrite);
    syscalls.close(startRead);
  }
  // Reaped whatever happens next: libuv only reaps the children it started itself.
  const exited = syscalls.waitpid(pid).then((exit) => exit.code ?? -1);
  // The socket owns the read end from here: it makes it non-blocking and closes it on destroy.
  let sync: Socket;
  try {
    sync = new Socket({ fd: syncRead, readable: true, writable: false });
  } catch (err) {
    // Closing the start pipe lets conmon see EOF and give up instead of waiting forever.
    syscalls.close(syncRead);
    syscalls.close(startWrite);
    throw err;
  }
  let startOpen = true;
  return {
    sync,
    start() {
      try {
        // One byte into an empty pipe: never blocks.
        writeSync(startWrite, Buffer.from([0]));
      } catch (err) {
        // conmon is already gone: its exit code says why.
        if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
      }
    },
    exited,
    close() {
      sync.destroy();
      if (startOpen) syscalls.close(startWrite);
      startOpen = false;
    },
  };
}

function spawnWithChildProcess(command: ConmonCommand): ConmonProcess {
  const stderrFd = openSync(command.stderrPath, 'a');
  let child;
  try {
    child = spawn(command.conmonPath, command.args, {
      stdio: ['ignore', 'ignore', stderrFd, 'pipe', 'pipe'],
      cwd: command.cwd,
      env: command.env,
      detached: true,
    });
  } finally {
    closeSync(stderrFd);
  }
  const sync = child.stdio[3] as Readable;
  const startPipe = child.stdio[4] as Writable;
  // A conmon that is gone (or never started) makes the start byte fail with EPIPE: its exit
  // (or the spawn error) says why, and an unheard stream error would be an uncaught exception.
  startPipe.on('error', () => undefined);
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (err) => reject(notInstalled(command, err)));
    child.once('exit', (code) => resolve(code ?? -1));
  });
  return {
    sync,
    start: () => startPipe.write(Buffer.from([0])),
    exited,
    close() {
      sync.destroy();
      startPipe.destroy();
    },
  };
}
