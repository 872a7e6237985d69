import { spawn } from 'node:child_process';
import { UnavailableError } from '@berth/errdefs';

/** How a finished program ended. */
export interface ProgramResult {
  /** Exit code; `null` when killed by a signal. */
  code: number | null;
  stderr: string;
}

/**
 * Runs a system program (`mount`, `umount`, `cp`, `mknod`) to completion and reports how
 * it ended; never throws for a non-zero exit — the caller knows what the codes mean.
 * Throws `Unavailable` when the program cannot be started, and the signal's reason when
 * `signal` aborts (the program is killed).
 */
export function runProgram(
  program: string,
  args: string[],
  options: { cwd?: string; signal?: AbortSignal } = {},
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const child = spawn(program, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      // Keep the head: errors are short, and a runaway program must not grow memory.
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(new UnavailableError(`cannot run ${program}: ${err.message}`, { cause: err }));
    });
    child.once('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) reject(options.signal.reason);
      else resolve({ code, stderr: stderr.trim() });
    });
  });
}
