import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  isNotFound,
} from '@berth/errdefs';
import { parseSignal } from '../config/signals.js';
import type {
  AttachOptions,
  AttachSession,
  ExecOptions,
  ExecProcess,
  OciRuntime,
  ProcessList,
  RuntimeContainer,
  RuntimeCreateOptions,
  RuntimeResourceUpdate,
  RuntimeStats,
  TerminalSize,
} from '../runtime/oci-runtime.js';
import { serializeRuntimeSpec } from '../spec/serialize.js';
import { readCgroupStats } from './cgroup-stats.js';
import { readNetworkStats } from './network-stats.js';
import { attachToConmon } from './conmon-attach.js';
import { launchConmon } from './conmon.js';
import { startThroughExecFifo } from './exec-fifo.js';
import { delay, processAlive } from './process-alive.js';
import { ExitWatcher } from './exit-watcher.js';
import { RuncCli, type RuncState, parsePsTable } from './runc-cli.js';
import { runcExec } from './runc-exec.js';
import { conmonExec } from './conmon-exec.js';

/** Options of {@link createRuncRuntime}. */
export interface RuncRuntimeOptions {
  /**
   * Persistent directory of the runtime (on disk, e.g. `/var/lib/berth/runtime`):
   * conmon's per-container persist dirs, with exit codes and OOM marks.
   */
  root: string;
  /**
   * Volatile state directory (tmpfs, e.g. `/run/berth/runtime`): runc's `--root`, exit
   * files, attach sockets, conmon PID files. Keep it short: attach socket paths
   * (`<stateDir>/sockets/<id>/attach`) must fit in 108 bytes.
   */
  stateDir: string;
  /** conmon binary (default `/usr/bin/conmon`). */
  conmonPath?: string;
  /** runc binary (default `/usr/sbin/runc`). */
  runcPath?: string;
  /** socat binary, used to write to an attached container's stdin (default `socat` on PATH). */
  socatPath?: string;
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

/** What the runtime records of a container besides runc's state. */
const containerMetaSchema = z.object({
  id: z.string(),
  bundle: z.string(),
  logPath: z.string(),
  terminal: z.boolean(),
  openStdin: z.boolean(),
  stdinOnce: z.boolean(),
  annotations: z.record(z.string(), z.string()),
});
type ContainerMeta = z.infer<typeof containerMetaSchema>;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * An {@link OciRuntime} on runc, with one conmon per container (the model is podman):
 * conmon runs `runc create`, holds the container's stdio, writes its output to the
 * k8s-file log, records its exit code in a file and then runs `runc delete` (its exit
 * command) — so containers outlive the engine process and a new runtime object over the
 * same directories adopts them. `start` opens
 * runc's exec FIFO as `runc start` does (`startThroughExecFifo`; `runc start` when that
 * cannot tell); `kill`, `pause`, `resume`, `delete`, `state`, `update` and `ps` are runc
 * commands with `--root` under the state directory; `exec` is `runc exec` (a child of the engine), or with a
 * terminal a conmon in exec mode (`conmonExec`, which receives the terminal); stats are
 * read from the container's cgroup v1 files, network counters from its network namespace's
 * `/proc/<pid>/net/dev`. Attached clients read output by following
 * the log from its end; writing to stdin goes through conmon's attach socket (a
 * SOCK_SEQPACKET socket, which Node cannot open: `socat` bridges it).
 *
 * Not yet: log rotation beyond conmon's truncation at
 * `logMaxSize` (`logMaxFiles` is ignored).
 */
export function createRuncRuntime(options: RuncRuntimeOptions): OciRuntime {
  const runcPath = options.runcPath ?? '/usr/sbin/runc';
  const conmonPath = options.conmonPath ?? '/usr/bin/conmon';
  const socatPath = options.socatPath ?? 'socat';
  const runcRoot = join(options.stateDir, 'runc');
  const exitDir = join(options.stateDir, 'exits');
  const socketDir = join(options.stateDir, 'sockets');
  const containersDir = join(options.stateDir, 'containers');
  const persistRoot = options.root;
  const cli = new RuncCli(runcPath, runcRoot);
  const exits = new ExitWatcher(exitDir, persistRoot);
  const containerDir = (id: string) => join(containersDir, id);
  let ready: Promise<void> | undefined;

  const prepare = () =>
    (ready ??= Promise.all(
      [runcRoot, exitDir, socketDir, containersDir, persistRoot].map((d) => mkdir(d, { recursive: true, mode: 0o700 })),
    ).then(() => undefined));

  const readMeta = async (id: string): Promise<ContainerMeta> => {
    if (!idPattern.test(id)) throw new NotFoundError(`container ${id} does not exist in the runtime`, { details: { id } });
    try {
      return containerMetaSchema.parse(JSON.parse(await readFile(join(containerDir(id), 'runtime.json'), 'utf8')));
    } catch (err) {
      if (errno(err) === 'ENOENT') throw new NotFoundError(`container ${id} does not exist in the runtime`, { details: { id } });
      throw err;
    }
  };

  /** The state of a container from runc and conmon's exit file. */
  const stateOf = async (meta: ContainerMeta): Promise<RuntimeContainer> => {
    let runc: RuncState | undefined;
    try {
      runc = await cli.state(meta.id);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    let exit = await exits.read(meta.id);
    if (!exit && (!runc || runc.status === 'stopped')) {
      // runc saw the exit before conmon wrote it down: give conmon a moment.
      exit = await exits.wait(meta.id, AbortSignal.timeout(3000)).catch(() => undefined);
      exit ??= { exitCode: 255, exitedAt: new Date(), oomKilled: false };
    }
    const result: RuntimeContainer = {
      id: meta.id,
      status: exit ? 'stopped' : runc!.status,
      pid: exit ? 0 : runc!.pid,
      bundle: meta.bundle,
      annotations: { ...meta.annotations },
    };
    if (exit) result.exit = exit;
    return result;
  };

  const notIn = (state: RuntimeContainer, wanted: string) =>
    new FailedPreconditionError(`container ${state.id} is not ${wanted} (state: ${state.status})`, {
      details: { id: state.id, status: state.status },
    });

  /** Waits for the container's conmon to be gone; kills it (ours) if it lingers. */
  const reapConmon = async (id: string): Promise<void> => {
    let pid: number;
    try {
      pid = Number((await readFile(join(containerDir(id), 'conmon.pid'), 'utf8')).trim());
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 1) return;
    // conmon leaves once its exit command (`runc delete`, some 10 ms) is done: poll (1, 2,
    // 4, then every 5 ms; a poll is a signal 0 and a read of /proc) for up to about 5 s,
    // then give up waiting.
    for (let i = 0; i < 1000 && (await processAlive(pid)); i++) await delay(Math.min(5, 2 ** i));
    if (await processAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 40 && (await processAlive(pid)); i++) await delay(50);
    }
  };

  /** Whether runc still has state for container `id` (its directory under runc's root). */
  const runcKnows = (id: string): Promise<boolean> =>
    stat(join(runcRoot, id)).then(
      () => true,
      () => false,
    );

  const removeFiles = async (id: string): Promise<void> => {
    await Promise.all([
      rm(containerDir(id), { recursive: true, force: true }),
      rm(join(persistRoot, id), { recursive: true, force: true }),
      rm(exits.exitFile(id), { force: true }),
      rm(join(socketDir, id), { force: true }),
    ]);
  };

  const runtime: OciRuntime = {
    name: 'runc',

    async create(id, createOptions: RuntimeCreateOptions) {
      createOptions.signal?.throwIfAborted();
      if (!idPattern.test(id)) throw new InvalidArgumentError(`invalid container ID ${JSON.stringify(id)}`);
      if (!createOptions.spec.process?.args?.length) {
        throw new InvalidArgumentError(`container ${id} has no process to run (process.args is empty)`);
      }
      await prepare();
      try {
        await mkdir(containerDir(id));
      } catch (err) {
        if (errno(err) === 'EEXIST') throw new AlreadyExistsError(`container ${id} already exists in the runtime`, { details: { id } });
        throw err;
      }
      const meta: ContainerMeta = {
        id,
        bundle: createOptions.bundle,
        logPath: createOptions.logPath,
        terminal: createOptions.spec.process.terminal ?? false,
        openStdin: createOptions.openStdin ?? false,
        stdinOnce: createOptions.stdinOnce ?? false,
        annotations: { ...(createOptions.spec.annotations ?? {}) },
      };
      let pid: number;
      try {
        // Independent of one another: done together (each a thread-pool round trip), all
        // settled before a failure is handled, so the cleanup below races with none of them.
        const prepared = await Promise.allSettled([
          mkdir(join(persistRoot, id), { recursive: true }),
          rm(exits.exitFile(id), { force: true }),
          writeFile(join(containerDir(id), 'runtime.json'), JSON.stringify(meta)),
          mkdir(createOptions.bundle, { recursive: true }).then(() =>
            writeFile(join(createOptions.bundle, 'config.json'), serializeRuntimeSpec(createOptions.spec)),
          ),
        ]);
        const failed = prepared.find((result): result is PromiseRejectedResult => result.status === 'rejected');
        if (failed) throw failed.reason;
        pid = await launchConmon({
          conmonPath,
          runcPath,
          runcRoot,
          id,
          bundle: createOptions.bundle,
          pidFile: join(containerDir(id), 'pidfile'),
          conmonPidFile: join(containerDir(id), 'conmon.pid'),
          exitDir,
          persistDir: join(persistRoot, id),
          socketDir,
          logPath: createOptions.logPath,
          logMaxSize: createOptions.logMaxSize,
          conmonLogPath: join(containerDir(id), 'conmon.log'),
          runcLogPath: join(containerDir(id), 'runc.log'),
          terminal: meta.terminal,
          openStdin: meta.openStdin,
          // As docker: a client leaving closes the stdin of a stdin-once container, unless it has a terminal.
          leaveStdinOpen: !meta.stdinOnce || meta.terminal,
          // runc forgets the container as soon as it exits, without a runc process of ours.
          exitCommand: [runcPath, ...cli.globalArgs(), 'delete', id],
          signal: createOptions.signal,
        });
      } catch (err) {
        await cli.delete(id, true).catch(() => undefined);
        await reapConmon(id);
        await removeFiles(id);
        throw err;
      }
      // conmon hands back the init PID once `runc create` has succeeded: asking runc again
      // would cost a process spawn on every container start.
      return { id, status: 'created', pid, bundle: meta.bundle, annotations: { ...meta.annotations } };
    },

    async start(id) {
      const meta = await readMeta(id);
      // Without a runc process when the container is created (as `runc start` does it);
      // anything else goes to `runc start`, for runc's answer.
      const initPid = Number((await readFile(join(containerDir(id), 'pidfile'), 'utf8').catch(() => '')).trim()) || undefined;
      if (await startThroughExecFifo(runcRoot, id, initPid)) return;
      // Optimistic: `runc start` refuses anything but a created container, and only then
      // is the state worth a second runc call, to explain the refusal.
      try {
        await cli.start(id);
      } catch (err) {
        const state = await stateOf(meta);
        if (state.status !== 'created') throw notIn(state, 'created');
        throw err;
      }
    },

    async kill(id, signal, killOptions = {}) {
      const { number } = parseSignal(signal);
      const state = await stateOf(await readMeta(id));
      if (state.status === 'stopped') throw notIn(state, 'running');
      await cli.kill(id, number, killOptions.all ?? false);
    },

    async pause(id) {
      const state = await stateOf(await readMeta(id));
      if (state.status !== 'running') throw notIn(state, 'running');
      await cli.pause(id);
    },

    async resume(id) {
      const state = await stateOf(await readMeta(id));
      if (state.status !== 'paused') throw notIn(state, 'paused');
      await cli.resume(id);
    },

    async delete(id, deleteOptions = {}) {
      const meta = await readMeta(id);
      // An exit conmon wrote down is final: no need to ask runc.
      const recordedExit = await exits.read(id);
      // Once the exit is written down conmon is on its way out (running `runc delete`).
      const conmonGone = recordedExit ? reapConmon(id) : undefined;
      conmonGone?.catch(() => undefined);
      const state: Pick<RuntimeContainer, 'status'> = recordedExit ? { status: 'stopped' } : await stateOf(meta);
      if ((state.status === 'running' || state.status === 'paused') && !deleteOptions.force) {
        throw new FailedPreconditionError(`cannot delete container ${id} that is not stopped (state: ${state.status})`, {
          details: { id, status: state.status },
        });
      }
      if (state.status !== 'stopped') {
        await cli.kill(id, 9, true).catch(() => undefined);
        if (state.status === 'paused') await cli.resume(id).catch(() => undefined);
        // Let conmon record the exit before runc forgets the container.
        await exits.wait(id, AbortSignal.timeout(10_000)).catch(() => undefined);
      }
      // conmon's exit command is `runc delete`, and conmon waits for it: once conmon is gone,
      // runc is asked only if it still knows the container (conmon killed, or started by an
      // engine that did not give it that command).
      await (conmonGone ?? reapConmon(id));
      if (await runcKnows(id)) {
        await cli.delete(id, true).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
      exits.abandon(id, new NotFoundError(`container ${id} was deleted`, { details: { id } }));
      await removeFiles(id);
    },

    async state(id) {
      return stateOf(await readMeta(id));
    },

    async list() {
      await prepare();
      const ids = await readdir(containersDir).catch(() => [] as string[]);
      const result: RuntimeContainer[] = [];
      for (const id of ids.sort()) {
        try {
          result.push(await stateOf(await readMeta(id)));
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      return result;
    },

    async wait(id, waitOptions = {}) {
      await readMeta(id);
      return exits.wait(id, waitOptions.signal);
    },

    async exec(id, execOptions: ExecOptions): Promise<ExecProcess> {
      execOptions.signal?.throwIfAborted();
      const state = await stateOf(await readMeta(id));
      if (state.status !== 'running') throw notIn(state, 'running');
      if (execOptions.process.terminal) {
        return conmonExec({ conmonPath, runcPath, runcRoot, socatPath, workDir: containerDir(id), socketDir: join(options.stateDir, 'exec-sockets'), id, options: execOptions });
      }
      return runcExec({ runcPath, globalArgs: cli.globalArgs(), workDir: containerDir(id), id, options: execOptions });
    },

    async attach(id, attachOptions: AttachOptions = {}): Promise<AttachSession> {
      const meta = await readMeta(id);
      const state = await stateOf(meta);
      if (state.status === 'stopped') throw notIn(state, 'running');
      if (attachOptions.stdin && !meta.openStdin) throw new FailedPreconditionError(`container ${id} was not created with stdin open`);
      return attachToConmon({
        id,
        logPath: meta.logPath,
        terminal: meta.terminal,
        attachSocket: join(socketDir, id, 'attach'),
        socatPath,
        exited: (signal) => exits.wait(id, signal),
        options: attachOptions,
      });
    },

    async resize(id, size: TerminalSize) {
      const meta = await readMeta(id);
      if (!meta.terminal) throw new FailedPreconditionError(`container ${id} has no terminal to resize`);
      const state = await stateOf(meta);
      if (state.status === 'stopped') throw notIn(state, 'running');
      // conmon's control FIFO: "1 <height> <width>" resizes its terminal.
      const handle = await open(join(meta.bundle, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        await handle.write(`1 ${size.height} ${size.width}\n`);
      } finally {
        await handle.close();
      }
    },

    async stats(id): Promise<RuntimeStats> {
      const state = await stateOf(await readMeta(id));
      if (state.status !== 'running' && state.status !== 'paused') throw notIn(state, 'running');
      const [stats, networks] = await Promise.all([readCgroupStats(state.pid), readNetworkStats(state.pid)]);
      return networks ? { ...stats, networks } : stats;
    },

    async update(id, resources: RuntimeResourceUpdate) {
      const state = await stateOf(await readMeta(id));
      if (state.status === 'stopped') throw notIn(state, 'running');
      // One file per call: concurrent updates of a container must not share it.
      const file = join(containerDir(id), `resources-${randomUUID()}.json`);
      await writeFile(file, JSON.stringify(resources));
      try {
        await cli.update(id, file);
      } finally {
        await rm(file, { force: true });
      }
    },

    async top(id, topOptions = {}): Promise<ProcessList> {
      const state = await stateOf(await readMeta(id));
      if (state.status !== 'running' && state.status !== 'paused') throw notIn(state, 'running');
      const psArgs = topOptions.psArgs ?? ['-ef'];
      if (psArgs.some((a) => a.includes('\0'))) throw new InvalidArgumentError('invalid ps arguments');
      return parsePsTable(await cli.ps(id, psArgs));
    },

    async close() {
      exits.close();
    },
  };
  return runtime;
}
