import { spawn } from 'node:child_process';

/** What a finished program left behind. */
export interface ProgramResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` with `args` to completion and collects its (small) output. Never
 * rejects for a non-zero exit: the caller reads `code` and `stderr`. Rejects if the
 * program cannot be started, or with the abort reason when `signal` aborts (the program
 * is killed — it is ours).
 */
export function runProgram(
  command: string,
  args: readonly string[],
  options: { signal?: AbortSignal; input?: string } = {},
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => stdout.push(d));
    child.stderr!.on('data', (d: Buffer) => stderr.push(d));
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      resolve({
        code: code ?? 128 + (signal ? 9 : 0),
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
      });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}
