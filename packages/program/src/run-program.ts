import { spawn } from 'node:child_process';
import { UnavailableError } from '@berth/errdefs';

/** How much of a program's stderr is kept: errors are short, a runaway program must not grow memory. */
const stderrLimit = 64 * 1024;

/** Options of {@link runProgram}. */
export interface RunProgramOptions {
  /** Written to the program's stdin, which is then closed; without it stdin is `/dev/null`. */
  input?: string | Uint8Array;
  /** Working directory of the program. */
  cwd?: string;
  /** Environment of the program; default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Kills the program (SIGKILL) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Debian package that provides the program, named in the error when it is not installed. */
  packageName?: string;
}

/** How a finished program ended and what it printed. */
export interface ProgramResult {
  /** Exit code; `null` when the program was killed by a signal. */
  code: number | null;
  /** The signal that killed the program, or `null` when it exited. */
  signal: NodeJS.Signals | null;
  /** Everything the program wrote to stdout. */
  stdout: Buffer;
  /** The first 64 KiB of what the program wrote to stderr, decoded as UTF-8 and not trimmed. */
  stderr: string;
}

/**
 * Runs the host program `command` with `args` to completion and reports how it ended —
 * for the few things Node cannot do itself (`mount`, `mknod`, `setfattr`, `runc`…). Never
 * rejects for a non-zero exit or a fatal signal: the caller knows what the codes mean.
 * Rejects with `Unavailable` when the program cannot be started ("not installed", naming
 * `packageName` when given), and with the abort reason when `signal` aborts — the program is
 * ours, so it is killed with SIGKILL and the promise settles once it is gone. Its output is
 * collected in memory: use it for programs that print little.
 */
export function runProgram(command: string, args: readonly string[], options: RunProgramOptions = {}): Promise<ProgramResult> {
  const { input, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let settled = false;
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      finish();
    };

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stderrBytes = 0;
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      // Keep the head: that is where a program says what went wrong.
      if (stderrBytes >= stderrLimit) return;
      const kept = chunk.subarray(0, stderrLimit - stderrBytes);
      stderr.push(kept);
      stderrBytes += kept.length;
    });

    child.once('error', (err: NodeJS.ErrnoException) => {
      settle(() => {
        if (signal?.aborted) reject(signal.reason);
        else if (err.code === 'ENOENT') {
          const hint = options.packageName ? ` (install the Debian package "${options.packageName}")` : '';
          reject(new UnavailableError(`cannot run ${command}: not installed${hint}`, { cause: err }));
        } else {
          reject(new UnavailableError(`cannot run ${command}: ${err.message}`, { cause: err }));
        }
      });
    });
    child.once('close', (code: number | null, exitSignal: NodeJS.Signals | null) => {
      settle(() => {
        if (signal?.aborted) reject(signal.reason);
        else resolve({ code, signal: exitSignal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') });
      });
    });

    if (input !== undefined) {
      // A program that exits early closes its stdin; its exit status reports the problem.
      child.stdin!.on('error', () => {});
      child.stdin!.end(input);
    }
  });
}
