import type { Readable, Writable } from 'node:stream';
import type { LinuxResources, RuntimeProcess, RuntimeSpec } from '@berth/spec';

/**
 * The status of a container as its OCI runtime reports it (runc's states): `creating`
 * while `create` runs, `created` once the process waits to be started, `running`,
 * `paused` (cgroup frozen), `stopped` once the process has exited.
 */
export type RuntimeStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** How a container's (or exec'd) process ended. */
export interface ExitStatus {
  /** The exit code; 128 + signal number when killed by a signal. */
  exitCode: number;
  exitedAt: Date;
  /** Killed by the kernel's OOM killer. */
  oomKilled: boolean;
}

/** What the runtime knows of one container. */
export interface RuntimeContainer {
  id: string;
  status: RuntimeStatus;
  /** Host PID of the init process; 0 once stopped. */
  pid: number;
  /** The bundle directory given at create. */
  bundle: string;
  /** Once `stopped`: how the process ended. */
  exit?: ExitStatus;
  /** The annotations of the spec it was created with. */
  annotations: Record<string, string>;
}

/** Options of {@link OciRuntime.create}. */
export interface RuntimeCreateOptions {
  /**
   * The bundle directory: the runtime writes `spec` to `<bundle>/config.json` and may keep
   * its own files there (pid file, conmon's). `spec.root.path` is absolute or relative to it.
   */
  bundle: string;
  spec: RuntimeSpec;
  /** Where the container's output goes, in k8s-file format (read it with `readLogs`). */
  logPath: string;
  /** Rotate the log once it reaches this size in bytes (docker's `max-size`). */
  logMaxSize?: number;
  /**
   * Files kept when rotating, the live one included (docker's `max-file`, default 1:
   * the log is truncated instead, as conmon's `--log-size-max` does).
   */
  logMaxFiles?: number;
  /** Keep the process's stdin open so attached clients can write to it (`docker run -i`). */
  openStdin?: boolean;
  /** Close stdin after the first attached client detaches. */
  stdinOnce?: boolean;
  signal?: AbortSignal;
}

/** Terminal size, in characters. */
export interface TerminalSize {
  width: number;
  height: number;
}

/** Options of {@link OciRuntime.exec}. */
export interface ExecOptions {
  /** The process: args, env, cwd, user, terminal (and capabilities) — a runtime spec `process`. */
  process: RuntimeProcess;
  /** Give the process a stdin stream (`docker exec -i`); otherwise its stdin is empty. */
  stdin?: boolean;
  signal?: AbortSignal;
}

/**
 * A process started in a running container. Lifecycle: it runs from when `exec` resolves;
 * read `stdout` and `stderr` (they end when it exits), write and end `stdin` if asked
 * for; `wait()` resolves with its exit status. With a terminal, all output is on `stdout`.
 */
export interface ExecProcess {
  /** Host PID. */
  readonly pid: number;
  readonly stdin: Writable | undefined;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the process has exited and its output is drained. */
  wait(): Promise<ExitStatus>;
  /** Sends a signal to the process. */
  kill(signal: string | number): Promise<void>;
  /** Resizes its terminal (only with `process.terminal`). */
  resize(size: TerminalSize): Promise<void>;
}

/** Options of {@link OciRuntime.attach}. */
export interface AttachOptions {
  /** Write to the container's stdin (it must have been created with `openStdin`). */
  stdin?: boolean;
  /** Receive stdout (default true). */
  stdout?: boolean;
  /** Receive stderr (default true). */
  stderr?: boolean;
  signal?: AbortSignal;
}

/**
 * A client attached to the stdio of a container's main process: output produced from
 * now on arrives on `stdout`/`stderr` (they end when the process exits or the session
 * is closed); `stdin`, when asked for, feeds the process. `close()` detaches; the
 * process keeps running.
 */
export interface AttachSession {
  readonly stdin: Writable | undefined;
  readonly stdout: Readable | undefined;
  readonly stderr: Readable | undefined;
  close(): Promise<void>;
}

/** Resource usage of a container (cgroup counters), as `docker stats` needs it. */
export interface RuntimeStats {
  read: Date;
  cpu: {
    /** Total CPU time used, nanoseconds. */
    totalNs: number;
    userNs: number;
    systemNs: number;
    /** Per-CPU totals, nanoseconds. */
    perCpuNs: number[];
    /** CPU time of the whole host, nanoseconds (for percentages). */
    systemUsageNs: number;
    onlineCpus: number;
    throttling: { periods: number; throttledPeriods: number; throttledTimeNs: number };
  };
  memory: {
    /** Bytes in use (cache included, as cgroup v1 counts it). */
    usage: number;
    maxUsage: number;
    /** The limit in bytes (the host's memory when unlimited). */
    limit: number;
    failcnt: number;
    /** memory.stat counters (`cache`, `rss`, `total_inactive_file`, …). */
    stats: Record<string, number>;
  };
  pids: { current: number; limit: number | undefined };
  blkio: {
    /** Bytes read/written per device. */
    ioServiceBytes: Array<{ major: number; minor: number; op: string; value: number }>;
  };
  /**
   * Counters per interface of the container's own network namespace (`lo` left out, as
   * docker does); absent when the container shares the host's network stack.
   */
  networks?: Record<string, RuntimeNetworkStats>;
}

/** Traffic counters of one network interface (`/proc/net/dev`). */
export interface RuntimeNetworkStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/**
 * New cgroup limits for a live container, in the OCI `linux.resources` shape: memory
 * (limit, reservation, swap), cpu (shares, quota, period, cpus, mems), pids limit, blkio
 * weight. Sections left out keep their current values.
 */
export type RuntimeResourceUpdate = Pick<LinuxResources, 'memory' | 'cpu' | 'pids' | 'blockIO'>;

/** Processes of a container as `ps` lists them (`docker top`). */
export interface ProcessList {
  titles: string[];
  processes: string[][];
}

/**
 * The OS boundary of containers: an OCI runtime driven by the engine. Implementations:
 * runc under one conmon per container (`createRuncRuntime`; containers outlive the
 * engine process, their output goes to a k8s-file log, their exit code to a file), and
 * a fake that simulates processes with scripted behaviour (`createFakeRuntime`). Both
 * pass `describeOciRuntime` (`@berth/container/conformance`).
 *
 * Lifecycle of a container: `create` (process set up, not started) → `start` → the
 * process runs, may be `pause`d/`resume`d, `kill`ed, `exec`'d into, `attach`ed to →
 * it exits (`wait` resolves, `state` says `stopped` with the exit status) → `delete`.
 * Errors: `NotFound` for an unknown ID, `AlreadyExists` for a taken one,
 * `FailedPrecondition` (naming the state) for an operation the state does not allow,
 * `InvalidArgument` for a process that cannot be started.
 */
export interface OciRuntime {
  /** `runc`, `fake`, … */
  readonly name: string;
  /** Creates the container from `options.spec`; it is `created` when this resolves. */
  create(id: string, options: RuntimeCreateOptions): Promise<RuntimeContainer>;
  /** Starts the created container's process. */
  start(id: string): Promise<void>;
  /** Sends a signal to the container's init process (`all`: to every process in it). */
  kill(id: string, signal: string | number, options?: { all?: boolean }): Promise<void>;
  /** Freezes every process of the container. */
  pause(id: string): Promise<void>;
  /** Thaws a paused container. */
  resume(id: string): Promise<void>;
  /** Deletes a container (its log file stays). `force` kills a live one first. */
  delete(id: string, options?: { force?: boolean }): Promise<void>;
  /** The container's state now. */
  state(id: string): Promise<RuntimeContainer>;
  /** Every container the runtime knows, including those created by an earlier engine process. */
  list(): Promise<RuntimeContainer[]>;
  /** Resolves when the container's process has exited (at once if it has). */
  wait(id: string, options?: { signal?: AbortSignal }): Promise<ExitStatus>;
  /** Runs another process in the running container. */
  exec(id: string, options: ExecOptions): Promise<ExecProcess>;
  /** Attaches to the stdio of the container's main process. */
  attach(id: string, options?: AttachOptions): Promise<AttachSession>;
  /** Resizes the terminal of the container's main process (created with `process.terminal`). */
  resize(id: string, size: TerminalSize): Promise<void>;
  /** Resource usage now. */
  stats(id: string): Promise<RuntimeStats>;
  /**
   * Changes the cgroup limits of a created, running or paused container (`runc update`);
   * they hold until it stops. `FailedPrecondition` for a stopped one.
   */
  update(id: string, resources: RuntimeResourceUpdate): Promise<void>;
  /** The processes in the container; `psArgs` as for `ps` (default `-ef`). */
  top(id: string, options?: { psArgs?: string[] }): Promise<ProcessList>;
  /** Releases what this runtime object holds (watchers, sockets); containers keep running. */
  close(): Promise<void>;
}
