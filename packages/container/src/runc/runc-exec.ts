import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FailedPreconditionError, InvalidArgumentError } from '@berth/errdefs';
import { parseSignal } from '../config/signals.js';
import type { ExecOptions, ExecProcess, ExitStatus } from '../runtime/oci-runtime.js';
import { delay } from './process-alive.js';
import { runcError } from './runc-cli.js';

/** What {@link runcExec} needs. */
export interface RuncExecParams {
  runcPath: string;
  /** runc's global options (`--root …`). */
  globalArgs: string[];
  /** A directory for the process spec, PID file and runc's log of this exec. */
  workDir: string;
  id: string;
  options: ExecOptions;
}

async function readPid(path: string): Promise<number | undefined> {
  return readFile(path, 'utf8').then(
    (text) => Number(text.trim()) || undefined,
    () => undefined,
  );
}

/** The last message of runc's JSON log (`undefined` when there is none). */
export async function lastLogMessage(path: string): Promise<string | undefined> {
  const log = await readFile(path, 'utf8').catch(() => '');
  return log
    .trim()
    .split('\n')
    .map((line) => {
      try {
        return (JSON.parse(line) as { msg?: string }).msg ?? '';
      } catch {
        return line;
      }
    })
    .filter((m) => m !== '')
    .at(-1);
}

/**
 * Runs a process without a terminal in a running container with `runc exec --process`, as
 * a child of the engine: its stdout and stderr are the child's (runc's own errors go to a JSON log, so
 * they never mix with the process's output), stdin is a pipe when asked for. Resolves
 * once runc has written the process's PID — or rejects with runc's error mapped by
 * `runcError` (`InvalidArgument` with exit code 127 for a command that does not exist).
 * `wait()` gives runc's exit code, which is the process's (128 + n for a signal).
 */
export async function runcExec(params: RuncExecParams): Promise<ExecProcess> {
  const { id, options } = params;
  if (!options.process.args?.length) throw new InvalidArgumentError('exec needs a command (process.args is empty)');
  // A terminal needs its master received over a console socket, which conmon does (conmonExec).
  if (options.process.terminal) throw new InvalidArgumentError('runc exec without conmon cannot give a process a terminal');
  const tag = randomBytes(6).toString('hex');
  const processFile = join(params.workDir, `exec-${tag}.json`);
  const pidFile = join(params.workDir, `exec-${tag}.pid`);
  const logFile = join(params.workDir, `exec-${tag}.log`);
  await writeFile(processFile, JSON.stringify(options.process));
  const cleanup = () => Promise.all([processFile, pidFile, logFile].map((f) => rm(f, { force: true }))).then(() => undefined);

  const child = spawn(
    params.runcPath,
    [...params.globalArgs, '--log', logFile, '--log-format', 'json', 'exec', '--process', processFile, '--pid-file', pidFile, id],
    { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] },
  );
  // Node drains a child's unread output when it exits: take it into our own streams at once.
  const stdout = child.stdout!.pipe(new PassThrough());
  const stderr = child.stderr!.pipe(new PassThrough());
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });

  let pid = await readPid(pidFile);
  while (!pid) {
    const done = await Promise.race([exited.then(() => true), delay(10).then(() => false)]);
    pid = await readPid(pidFile);
    if (!pid && done) {
      const message = (await lastLogMessage(logFile)) ?? `runc exec exited with ${(await exited).code}`;
      await cleanup();
      throw runcError('exec in', id, message);
    }
  }
  const execPid = pid;
  const status = exited.then(async ({ code, signal }): Promise<ExitStatus> => {
    await cleanup();
    return { exitCode: code ?? 128 + (signal ? parseSignal(signal).number : 0), exitedAt: new Date(), oomKilled: false };
  });
  return {
    pid: execPid,
    stdin: child.stdin ?? undefined,
    stdout,
    stderr,
    wait: () => status.then((s) => ({ ...s })),
    async kill(signal) {
      const { number } = parseSignal(signal);
      try {
        process.kill(execPid, number);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    },
    async resize() {
      throw new FailedPreconditionError('the exec process has no terminal to resize');
    },
  };
}
