import { spawn } from 'node:child_process';
import { UnavailableError } from '@berth/errdefs';

/** What a finished helper program left behind. */
export interface CommandResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a helper program (`mount`, `umount`, `mknod`, `getfattr`, `setfattr`) to completion,
 * feeding it `input` on stdin. Node has no mount, mknod or xattr calls, so these few go
 * through processes. A program that cannot be started is an `Unavailable` error.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { input?: string | Buffer; signal?: AbortSignal } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new UnavailableError(`cannot run ${command}: not installed`, { cause: err }));
      } else {
        reject(err);
      }
    });
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr: stderr.trim() }));
    // A program that exits early closes its stdin; its exit status reports the problem.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}
