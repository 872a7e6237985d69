import { PassThrough, type Readable, Writable } from 'node:stream';
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import type { RuntimeProcess, RuntimeSpec } from '@berth/spec';
import { type Clock, systemClock } from '../clock/clock.js';
import { parseSignal } from '../config/signals.js';
import type { LogStream } from '../logs/log-line.js';
import { createLogWriter, type LogWriter } from '../logs/log-writer.js';
import type {
  AttachOptions,
  AttachSession,
  ExecOptions,
  ExecProcess,
  ExitStatus,
  OciRuntime,
  ProcessList,
  RuntimeContainer,
  RuntimeCreateOptions,
  RuntimeResourceUpdate,
  RuntimeStats,
  RuntimeStatus,
  TerminalSize,
} from '../runtime/oci-runtime.js';
import { CONTAINER_INIT_PATH } from '../spec/with-init.js';
import { FakeProcess } from './fake-process.js';
import type { FakeBehaviour, FakeProcessInfo, FakeProcessScript } from './fake-script.js';
import { interpretCommand } from './interpret-command.js';

/** Options of {@link createFakeRuntime}. */
export interface FakeRuntimeOptions {
  /** Time for scripted delays and timestamps (default: the system clock; use a manual one in tests). */
  clock?: Clock;
  /** Chooses process behaviour before the built-in interpreter. */
  behaviour?: FakeBehaviour;
  /** PIDs are handed out from here (default 1000). */
  firstPid?: number;
  /** CPUs the fake host has, for stats (default 2). */
  cpus?: number;
  /** Memory of the fake host in bytes, the limit of unlimited containers (default 8 GiB). */
  hostMemory?: number;
}

/** The operations whose next call a test can make fail. */
export type FakeRuntimeOperation =
  | 'create'
  | 'start'
  | 'kill'
  | 'pause'
  | 'resume'
  | 'delete'
  | 'exec'
  | 'attach'
  | 'stats'
  | 'top'
  | 'update';

/**
 * An {@link OciRuntime} that simulates containers in memory: no root, no Linux, no
 * processes. Each container's main process and exec'd processes follow a script
 * ({@link FakeProcessScript}) chosen by behaviours and, failing those, by a built-in
 * interpreter of common busybox commands (`echo hi`, `sh -c 'exit 3'`, `sleep 5`, `cat`,
 * traps…), on an injectable clock. Output goes to the container's k8s-file log like
 * conmon's; stats and top are made up from the script and the clock. Faults can be
 * injected. This is what the in-memory engine runs containers on.
 */
export interface FakeRuntime extends OciRuntime {
  /**
   * Adds a behaviour consulted before earlier ones (and before the interpreter); returns
   * a function that removes it.
   */
  addBehaviour(behaviour: FakeBehaviour): () => void;
  /** Makes the next call of `operation` reject with `error` (calls queue up). */
  failNext(operation: FakeRuntimeOperation, error: Error): void;
  /** Kills the main process with the OOM killer now (exit 137, `oomKilled`). */
  triggerOom(id: string): void;
  /** The spec a container was created with, its `linux.resources` as `update` left them. */
  specOf(id: string): RuntimeSpec;
}

interface Attachment {
  stdout: PassThrough | undefined;
  stderr: PassThrough | undefined;
  stdin: Writable | undefined;
}

interface FakeContainer {
  id: string;
  bundle: string;
  spec: RuntimeSpec;
  status: RuntimeStatus;
  process: FakeProcess;
  log: LogWriter;
  stdinOpen: boolean;
  stdinOnce: boolean;
  /** Running exec'd processes, with what they run (for top). */
  execs: Map<FakeProcess, RuntimeProcess>;
  attachments: Set<Attachment>;
  /** Resolves once the exit is recorded (log flushed, status stopped). */
  stopped: Promise<ExitStatus>;
  exit: ExitStatus | undefined;
  terminalSize: TerminalSize | undefined;
  memoryBytes: number;
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

function runtimeProcessInfo(
  containerId: string,
  kind: 'init' | 'exec',
  process: RuntimeProcess,
  hostname: string,
): FakeProcessInfo {
  let args = process.args ?? [];
  let behindInit = false;
  if (kind === 'init' && args[0] === CONTAINER_INIT_PATH) {
    behindInit = true;
    args = args[1] === '--' ? args.slice(2) : args.slice(1);
  }
  return {
    containerId,
    kind,
    args,
    env: process.env ?? [],
    cwd: process.cwd,
    user: process.user,
    terminal: process.terminal ?? false,
    hostname,
    behindInit,
  };
}

/** What a terminal makes of output: line feeds become CR LF (the tty's `onlcr`). */
function onTerminal(data: Buffer): Buffer {
  return data.includes(0x0a) ? Buffer.from(data.toString('latin1').replace(/\n/g, '\r\n'), 'latin1') : data;
}

/** Creates a {@link FakeRuntime}. */
export function createFakeRuntime(options: FakeRuntimeOptions = {}): FakeRuntime {
  const clock = options.clock ?? systemClock;
  const cpus = options.cpus ?? 2;
  const hostMemory = options.hostMemory ?? 8 * 1024 ** 3;
  const behaviours: FakeBehaviour[] = options.behaviour ? [options.behaviour] : [];
  const failures = new Map<FakeRuntimeOperation, Error[]>();
  const containers = new Map<string, FakeContainer>();
  let nextPid = options.firstPid ?? 1000;

  const injected = (operation: FakeRuntimeOperation) => {
    const error = failures.get(operation)?.shift();
    if (error) throw error;
  };

  const scriptFor = (info: FakeProcessInfo): FakeProcessScript => {
    for (const behaviour of behaviours) {
      const script = behaviour(info);
      if (script) return script;
    }
    return interpretCommand(info);
  };

  const get = (id: string): FakeContainer => {
    const container = containers.get(id);
    if (!container) throw new NotFoundError(`container ${id} does not exist in the runtime`, { details: { id } });
    return container;
  };

  const notIn = (container: FakeContainer, wanted: string) =>
    new FailedPreconditionError(`container ${container.id} is not ${wanted} (state: ${container.status})`, {
      details: { id: container.id, status: container.status },
    });

  const view = (c: FakeContainer): RuntimeContainer => {
    const result: RuntimeContainer = {
      id: c.id,
      status: c.status,
      pid: c.status === 'stopped' ? 0 : c.process.pid,
      bundle: c.bundle,
      annotations: { ...(c.spec.annotations ?? {}) },
    };
    if (c.exit) result.exit = { ...c.exit };
    return result;
  };

  const deliver = (c: FakeContainer, stream: LogStream, data: Buffer) => {
    const effective: LogStream = c.spec.process?.terminal ? 'stdout' : stream;
    c.log.write(effective, data);
    for (const a of c.attachments) (effective === 'stdout' ? a.stdout : a.stderr)?.write(data);
  };

  const runtime: FakeRuntime = {
    name: 'fake',

    addBehaviour(behaviour) {
      behaviours.unshift(behaviour);
      return () => {
        const index = behaviours.indexOf(behaviour);
        if (index >= 0) behaviours.splice(index, 1);
      };
    },

    failNext(operation, error) {
      failures.set(operation, [...(failures.get(operation) ?? []), error]);
    },

    triggerOom(id) {
      const c = get(id);
      if (c.status !== 'running' && c.status !== 'paused') throw notIn(c, 'running');
      c.process.finish(137, true);
    },

    specOf(id) {
      return structuredClone(get(id).spec);
    },

    async create(id, createOptions: RuntimeCreateOptions) {
      injected('create');
      createOptions.signal?.throwIfAborted();
      if (!idPattern.test(id)) throw new InvalidArgumentError(`invalid container ID ${JSON.stringify(id)}`);
      if (containers.has(id)) throw new AlreadyExistsError(`container ${id} already exists in the runtime`, { details: { id } });
      const spec = structuredClone(createOptions.spec);
      if (!spec.process?.args?.length) throw new InvalidArgumentError(`container ${id} has no process to run (process.args is empty)`);
      const info = runtimeProcessInfo(id, 'init', spec.process, spec.hostname ?? '');
      const script = scriptFor(info);
      const log = createLogWriter(createOptions.logPath, {
        clock,
        maxSize: createOptions.logMaxSize,
        maxFiles: createOptions.logMaxFiles,
      });
      let container!: FakeContainer;
      let recordStop!: (status: ExitStatus) => void;
      const stopped = new Promise<ExitStatus>((resolve) => (recordStop = resolve));
      const process = new FakeProcess(
        nextPid++,
        script,
        clock,
        {
          output: (stream, data) => deliver(container, stream, data),
          exited: (status) => {
            // The PID namespace goes with its init: exec'd processes die too.
            for (const exec of container.execs.keys()) exec.finish(137, false);
            for (const a of container.attachments) {
              a.stdout?.end();
              a.stderr?.end();
            }
            container.attachments.clear();
            container.log.endStreams();
            void container.log.flush().catch(() => undefined).then(() => {
              container.exit = status;
              container.status = 'stopped';
              recordStop(status);
            });
          },
        },
        createOptions.openStdin ?? false,
      );
      container = {
        id,
        bundle: createOptions.bundle,
        spec,
        status: 'created',
        process,
        log,
        stdinOpen: createOptions.openStdin ?? false,
        stdinOnce: createOptions.stdinOnce ?? false,
        execs: new Map(),
        attachments: new Set(),
        stopped,
        exit: undefined,
        terminalSize: undefined,
        memoryBytes: script.memoryBytes ?? 1024 * 1024,
      };
      containers.set(id, container);
      return view(container);
    },

    async start(id) {
      injected('start');
      const c = get(id);
      if (c.status !== 'created') throw notIn(c, 'created');
      c.status = 'running';
      c.process.start();
    },

    async kill(id, signal, killOptions = {}) {
      injected('kill');
      const c = get(id);
      parseSignal(signal);
      if (c.status === 'stopped' || c.process.status === 'exited') throw notIn(c, 'running');
      if (killOptions.all) for (const exec of c.execs.keys()) exec.signal(signal);
      c.process.signal(signal);
    },

    async pause(id) {
      injected('pause');
      const c = get(id);
      if (c.status !== 'running' || c.process.status !== 'running') throw notIn(c, 'running');
      c.status = 'paused';
      c.process.pause();
      for (const exec of c.execs.keys()) exec.pause();
    },

    async resume(id) {
      injected('resume');
      const c = get(id);
      if (c.status !== 'paused') throw notIn(c, 'paused');
      c.status = 'running';
      c.process.resume();
      for (const exec of c.execs.keys()) exec.resume();
    },

    async delete(id, deleteOptions = {}) {
      injected('delete');
      const c = get(id);
      if (c.status === 'running' || c.status === 'paused') {
        if (!deleteOptions.force) {
          throw new FailedPreconditionError(`cannot delete container ${id} that is not stopped (state: ${c.status})`, {
            details: { id, status: c.status },
          });
        }
      }
      if (c.process.status !== 'exited') c.process.finish(137, false);
      await c.stopped;
      await c.log.close().catch(() => undefined);
      containers.delete(id);
    },

    async state(id) {
      return view(get(id));
    },

    async list() {
      return [...containers.values()].map(view);
    },

    async wait(id, waitOptions = {}) {
      const c = get(id);
      const { signal } = waitOptions;
      signal?.throwIfAborted();
      if (!signal) return { ...(await c.stopped) };
      return new Promise<ExitStatus>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        c.stopped.then((status) => {
          signal.removeEventListener('abort', onAbort);
          resolve({ ...status });
        });
      });
    },

    async exec(id, execOptions: ExecOptions): Promise<ExecProcess> {
      injected('exec');
      const c = get(id);
      execOptions.signal?.throwIfAborted();
      if (c.status !== 'running') throw notIn(c, 'running');
      if (!execOptions.process.args?.length) throw new InvalidArgumentError('exec needs a command (process.args is empty)');
      const info = runtimeProcessInfo(id, 'exec', execOptions.process, c.spec.hostname ?? '');
      const terminal = info.terminal;
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const process = new FakeProcess(
        nextPid++,
        scriptFor(info),
        clock,
        {
          output: (stream, data) => (terminal ? stdout.write(onTerminal(data)) : (stream === 'stdout' ? stdout : stderr).write(data)),
          exited: () => {
            c.execs.delete(process);
            stdout.end();
            stderr.end();
          },
        },
        execOptions.stdin ?? false,
      );
      c.execs.set(process, execOptions.process);
      const stdin = execOptions.stdin
        ? new Writable({
            write(chunk: Buffer, _encoding, callback) {
              // A terminal echoes what is typed, before the process reads it.
              if (terminal && process.status === 'running') stdout.write(onTerminal(chunk));
              process.writeStdin(chunk);
              callback();
            },
            final(callback) {
              process.endStdin();
              callback();
            },
          })
        : undefined;
      process.start();
      return {
        pid: process.pid,
        stdin,
        stdout,
        stderr,
        async wait() {
          return { ...(await process.exited) };
        },
        async kill(signal) {
          parseSignal(signal);
          process.signal(signal);
        },
        async resize(size) {
          if (!terminal) throw new FailedPreconditionError('the exec process has no terminal to resize');
          process.terminalSize = { ...size };
        },
      };
    },

    async attach(id, attachOptions: AttachOptions = {}): Promise<AttachSession> {
      injected('attach');
      const c = get(id);
      if (c.status === 'stopped' || c.process.status === 'exited') throw notIn(c, 'running');
      const terminal = c.spec.process?.terminal ?? false;
      const attachment: Attachment = {
        stdout: attachOptions.stdout === false ? undefined : new PassThrough(),
        stderr: attachOptions.stderr === false || terminal ? undefined : new PassThrough(),
        stdin: undefined,
      };
      if (attachOptions.stdin) {
        if (!c.stdinOpen) throw new FailedPreconditionError(`container ${id} was not created with stdin open`);
        attachment.stdin = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            c.process.writeStdin(chunk);
            callback();
          },
          final(callback) {
            // Detaching closes the process's stdin only for stdin-once containers without a
            // terminal: with one, the end of input is the terminal's business (docker's rule).
            if (c.stdinOnce && !terminal) c.process.endStdin();
            callback();
          },
        });
      }
      c.attachments.add(attachment);
      return {
        stdin: attachment.stdin,
        stdout: attachment.stdout as Readable | undefined,
        stderr: attachment.stderr as Readable | undefined,
        async close() {
          c.attachments.delete(attachment);
          attachment.stdout?.end();
          attachment.stderr?.end();
          if (attachment.stdin && !attachment.stdin.writableEnded) attachment.stdin.end();
        },
      };
    },

    async resize(id, size) {
      const c = get(id);
      if (!c.spec.process?.terminal) throw new FailedPreconditionError(`container ${id} has no terminal to resize`);
      if (c.status === 'stopped') throw notIn(c, 'running');
      c.terminalSize = { ...size };
    },

    async stats(id): Promise<RuntimeStats> {
      injected('stats');
      const c = get(id);
      if (c.status !== 'running' && c.status !== 'paused') throw notIn(c, 'running');
      const runningMs = c.process.runningMs();
      // A steady 1% of one CPU, split evenly.
      const totalNs = Math.round(runningMs * 10_000);
      const limit = c.spec.linux?.resources?.memory?.limit;
      const pidsLimit = c.spec.linux?.resources?.pids?.limit;
      const usage = c.memoryBytes * (1 + c.execs.size);
      return {
        read: clock.now(),
        cpu: {
          totalNs,
          userNs: Math.round(totalNs * 0.7),
          systemNs: totalNs - Math.round(totalNs * 0.7),
          perCpuNs: Array.from({ length: cpus }, (_, i) => (i === 0 ? totalNs : 0)),
          systemUsageNs: clock.now().getTime() * 1_000_000 * cpus,
          onlineCpus: cpus,
          throttling: { periods: 0, throttledPeriods: 0, throttledTimeNs: 0 },
        },
        memory: {
          usage,
          maxUsage: usage,
          limit: limit !== undefined && limit > 0 ? limit : hostMemory,
          failcnt: 0,
          stats: { cache: 0, rss: usage, total_inactive_file: 0 },
        },
        pids: { current: 1 + c.execs.size, limit: pidsLimit !== undefined && pidsLimit > 0 ? pidsLimit : undefined },
        blkio: { ioServiceBytes: [] },
      };
    },

    async update(id, resources: RuntimeResourceUpdate) {
      injected('update');
      const c = get(id);
      if (c.status === 'stopped') throw notIn(c, 'running');
      // As runc: each given field replaces the current one, the others stay.
      const linux = (c.spec.linux ??= {});
      const current = (linux.resources ??= {});
      for (const key of ['memory', 'cpu', 'pids', 'blockIO'] as const) {
        const next = resources[key];
        if (next !== undefined) current[key] = { ...(current[key] ?? {}), ...structuredClone(next) } as never;
      }
    },

    async top(id, topOptions = {}): Promise<ProcessList> {
      injected('top');
      const c = get(id);
      if (c.status !== 'running' && c.status !== 'paused') throw notIn(c, 'running');
      if (topOptions.psArgs && topOptions.psArgs.some((a) => !/^-?[a-zA-Z]+$/.test(a))) {
        throw new InvalidArgumentError(`unsupported ps arguments: ${topOptions.psArgs.join(' ')}`);
      }
      const row = (pid: number, ppid: number, process: RuntimeProcess | undefined) => [
        String(process?.user.uid ?? 0),
        String(pid),
        String(ppid),
        '0',
        '00:00',
        '?',
        '00:00:00',
        (process?.args ?? []).join(' '),
      ];
      const processes = [row(c.process.pid, 0, c.spec.process)];
      for (const [exec, process] of c.execs) processes.push(row(exec.pid, c.process.pid, process));
      return { titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], processes };
    },

    async close() {
      // Nothing is held outside the containers, which keep "running" as real ones would.
    },
  };
  return runtime;
}
