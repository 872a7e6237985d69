import { randomBytes } from 'node:crypto';
import { checkExec, containerHostname, processEnv, readUserDatabase, resolveUser } from '@berth/container';
import { ConflictError, NotFoundError } from '@berth/errdefs';
import { emitContainerEvent, type ContainerContext } from './container-context.js';
import { mergeOutput } from './container-io.js';
import { mountRootfs, refOf } from './container-run.js';
import type { ContainerEntry } from './container-table.js';
import type { ExecCreateOptions, ExecInspect, ExecSession, ExecStartOptions } from './container-types.js';
import type { ExecEntry } from './exec-entry.js';
import { checkProgram } from './find-executable.js';

/** `docker exec` create: the container must be running. Event: `exec_create`. */
export function createExec(context: ContainerContext, entry: ContainerEntry, options: ExecCreateOptions): { id: string } {
  checkExec(refOf(entry), entry.record.state);
  const id = randomBytes(32).toString('hex');
  context.execs.set(id, { id, containerId: entry.record.id, options, running: false, exitCode: undefined, pid: 0, started: false });
  entry.execs.add(id);
  emitContainerEvent(context, entry, 'exec_create', { execID: id, commandLine: options.cmd.join(' ') });
  return { id };
}

/** The exec named `id`; `NotFound` (`No such exec instance`) otherwise. */
export function execById(context: ContainerContext, id: string): ExecEntry {
  const exec = context.execs.get(id);
  if (!exec) throw new NotFoundError(`No such exec instance: ${id}`, { details: { exec: id } });
  return exec;
}

/**
 * Starts an exec in its (running) container; resolves with its output and exit once it
 * runs. Events: `exec_start`, then `exec_die` with `exitCode`.
 */
export async function startExec(context: ContainerContext, exec: ExecEntry, options: ExecStartOptions = {}): Promise<ExecSession> {
  const entry = context.table.get(exec.containerId);
  checkExec(refOf(entry), entry.record.state);
  if (exec.started) throw new ConflictError(`exec ${exec.id} has already run`);
  exec.started = true;
  let settleLaunch!: () => void;
  exec.launched = new Promise<void>((resolve) => (settleLaunch = resolve));
  const { config } = entry.record;
  let process: Awaited<ReturnType<typeof context.host.runtime.exec>>;
  try {
    const rootfs = await mountRootfs(context, entry);
    const user = resolveUser(exec.options.user ?? config.user, await readUserDatabase(rootfs), config.groupAdd ?? []);
    // As for a start: every runtime (the fake has no files) refuses a missing program alike.
    const [program = ''] = exec.options.cmd;
    await checkProgram(rootfs, program, [...(exec.options.env ?? []), ...config.env], exec.options.workingDir || config.workingDir || '/');
    process = await context.host.runtime.exec(entry.record.id, {
      process: {
        args: exec.options.cmd,
        env: processEnv([...(exec.options.env ?? []), ...config.env.filter((e) => !(exec.options.env ?? []).some((o) => o.split('=')[0] === e.split('=')[0]))], {
          hostname: containerHostname(config, entry.record.id),
          tty: exec.options.tty ?? false,
          home: user.home,
        }),
        cwd: exec.options.workingDir || config.workingDir || '/',
        user,
        terminal: exec.options.tty ?? false,
      },
      stdin: (exec.options.attachStdin ?? false) || options.stdin !== undefined,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    // dockerd records 126 for an exec that could not start (missing program, unknown user),
    // which is the exit code `docker exec` then reports.
    exec.exitCode = 126;
    settleLaunch();
    throw err;
  }
  exec.process = process;
  exec.running = true;
  exec.pid = process.pid;
  settleLaunch();
  emitContainerEvent(context, entry, 'exec_start', { execID: exec.id, commandLine: exec.options.cmd.join(' ') });
  if (options.stdin && process.stdin) options.stdin.pipe(process.stdin);
  else process.stdin?.end();
  const exit = process.wait().then((status) => {
    exec.running = false;
    exec.exitCode = status.exitCode;
    emitContainerEvent(context, entry, 'exec_die', { execID: exec.id, exitCode: String(status.exitCode) });
    return status.exitCode;
  });
  if (options.detach) {
    process.stdout.resume();
    process.stderr.resume();
  }
  return { output: options.detach ? emptyOutput() : mergeOutput(process.stdout, process.stderr), exit };
}

async function* emptyOutput(): AsyncGenerator<never> {}

/** `docker exec inspect`. */
export function inspectExec(exec: ExecEntry): ExecInspect {
  return {
    id: exec.id,
    containerId: exec.containerId,
    running: exec.running,
    exitCode: exec.exitCode,
    pid: exec.pid,
    processConfig: {
      entrypoint: exec.options.cmd[0] ?? '',
      arguments: exec.options.cmd.slice(1),
      user: exec.options.user ?? '',
      tty: exec.options.tty ?? false,
      privileged: exec.options.privileged ?? false,
    },
    openStdin: exec.options.attachStdin ?? false,
    openStdout: exec.options.attachStdout ?? true,
    openStderr: exec.options.attachStderr ?? true,
  };
}
