import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** What a finished command printed and how it ended. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion, capturing its output. Rejects (with the stderr in the
 * message) when it exits non-zero, unless `allowFailure` is set.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean; stdout?: 'capture' | 'ignore' } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', options.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = { code: code ?? 128, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (result.code !== 0 && !options.allowFailure) {
        const how = signal ? `was killed by ${signal}` : `exited with ${result.code}`;
        reject(new Error(`${command} ${args.join(' ')} ${how}: ${result.stderr.trim().slice(-2000)}`));
      } else {
        resolve(result);
      }
    });
  });
}

/** A background process the benchmark started; stopped by its pid, never by name. */
export interface Daemon {
  readonly pid: number;
  /** Whether it is still running. */
  readonly running: boolean;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a long-running process with its output appended to `logFile`, then polls
 * `ready` until it says yes (or the process dies, or `timeoutMs` passes — then it is
 * stopped and the promise rejects with the log's tail).
 */
export async function startDaemon(
  command: string,
  args: string[],
  options: { logFile: string; ready: () => Promise<boolean>; timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<Daemon> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  await new Promise<void>((resolve, reject) => log.once('open', () => resolve()).once('error', reject));
  const child = spawn(command, args, { stdio: ['ignore', log, log], env: options.env ?? process.env });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const daemon = daemonOf(child, exited, () => log.end());
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (!daemon.running) {
      log.end();
      throw new Error(`${command} exited before it was ready; see ${options.logFile}`);
    }
    if (await options.ready().catch(() => false)) return daemon;
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new Error(`${command} was not ready after ${options.timeoutMs ?? 30_000} ms; see ${options.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function daemonOf(child: ChildProcess, exited: Promise<void>, closeLog: () => void): Daemon {
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${child.spawnfile} did not start`);
  let running = true;
  void exited.then(() => (running = false));
  return {
    pid,
    get running() {
      return running;
    },
    async stop(graceMs = 20_000) {
      if (running) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      closeLog();
    },
  };
}
