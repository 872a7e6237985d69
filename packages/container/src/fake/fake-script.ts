import type { RuntimeUser } from '@berth/spec';
import type { LogStream } from '../logs/log-line.js';
import type { TerminalSize } from '../runtime/oci-runtime.js';

/** What a signal does to a fake process. */
export type FakeSignalAction = 'ignore' | { exitCode: number };

/** What a fake process can see of itself when it writes (`stty size`). */
export interface FakeProcessView {
  /** The size of its terminal, once resized (`undefined` before, and without a terminal). */
  terminalSize: TerminalSize | undefined;
}

/** One piece of scripted output. */
export interface FakeOutput {
  /** Default `stdout`. */
  stream?: LogStream;
  /** Written as is: end lines with `\n`. A function is called when the output is due. */
  text: string | ((process: FakeProcessView) => string);
  /** When, in ms of the process's running time (paused time does not count). Default 0. */
  atMs?: number;
  /**
   * Not before this many lines have arrived on stdin (or stdin has ended), as after
   * `read` in a shell. Default 0.
   */
  afterInputLines?: number;
}

/**
 * The scripted behaviour of a fake process: what it prints and when, how it ends, how it
 * reacts to signals and stdin. Times are milliseconds of running time on the runtime's
 * clock; a step at 0 ms happens right after start without the clock moving.
 */
export interface FakeProcessScript {
  output?: FakeOutput[];
  /**
   * Exit with `code` at `atMs` (default: right after the last output). Without `exit`
   * (and without an `oomAtMs`) the process runs until killed, or, with `stdin`, until its
   * stdin ends.
   */
  exit?: { code: number; atMs?: number; afterInputLines?: number };
  /** Killed by the OOM killer at this time: exit code 137, `oomKilled`. */
  oomAtMs?: number;
  /** Reactions to signals by name (`SIGTERM`); SIGKILL always kills. */
  signals?: Record<string, FakeSignalAction>;
  /**
   * Signals without a reaction are ignored, as for PID 1 of a PID namespace without a
   * handler (busybox `sleep` as the container's process); otherwise they terminate it
   * with 128 + signal number.
   */
  ignoresUnhandledSignals?: boolean;
  /**
   * `echo`: stdin is copied to stdout (like `cat`); `consume`: stdin is read and dropped
   * (like an interactive shell). Either way the process exits 0 when stdin ends — at once
   * when it has no stdin.
   */
  stdin?: 'echo' | 'consume';
  /** Memory the process uses, bytes, for stats (default 1 MiB). */
  memoryBytes?: number;
}

/** What a fake process is, for choosing its behaviour. */
export interface FakeProcessInfo {
  containerId: string;
  /** `init`: the container's main process; `exec`: a process run in it. */
  kind: 'init' | 'exec';
  args: string[];
  env: string[];
  cwd: string;
  user: RuntimeUser;
  terminal: boolean;
  /** The container's hostname. */
  hostname: string;
  /** It runs behind an init (docker-init / catatonit), so it is not PID 1. */
  behindInit: boolean;
}

/**
 * Chooses the behaviour of a fake process; `undefined` passes to the next behaviour,
 * finally to the built-in command interpreter (`interpretCommand`).
 */
export type FakeBehaviour = (process: FakeProcessInfo) => FakeProcessScript | undefined;
