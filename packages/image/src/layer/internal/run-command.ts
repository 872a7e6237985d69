import { spawn } from 'node:child_process';
import { UnavailableError } from '@berth/errdefs';

/** What a finished helper program left behind. */
export interface CommandResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a helper program (`mknod`, `setfattr`, `getfattr`, `sh`) to completion, feeding
 * it `input` on stdin. Node has no mknod or xattr calls, so these few go through
 * processes, batched by the callers. A program that cannot be started is an
 * `Unavailable` error naming the Debian package to install.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { input?: string | Buffer; signal?: AbortSignal; packageName?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        const hint = options.packageName ? ` (install the Debian package "${options.packageName}")` : '';
        reject(new UnavailableError(`cannot run ${command}: not installed${hint}`, { cause: err }));
      } else {
        reject(err);
      }
    });
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
    // A program that exits early closes its stdin; the EPIPE is reported by its exit status.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Quotes a string for `sh`: everything inside single quotes is literal. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Escapes a path for the `# file:` lines of a `getfattr` dump, as `setfattr --restore`
 * reads them back: every byte that is not a safe printable ASCII character becomes `\ooo`.
 */
export function escapeDumpPath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path)) {
    const safe = byte > 0x20 && byte < 0x7f && byte !== 0x5c && byte !== 0x3d;
    out += safe ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** Reverses the `\ooo` escapes of a `getfattr` dump path (bytes, then UTF-8). */
export function unescapeDumpPath(escaped: string): string {
  if (!escaped.includes('\\')) return escaped;
  const bytes: number[] = [];
  const raw = Buffer.from(escaped, 'utf8');
  for (let i = 0; i < raw.length; i += 1) {
    if (raw[i] === 0x5c && i + 3 < raw.length && /^[0-7]{3}$/.test(raw.toString('latin1', i + 1, i + 4))) {
      bytes.push(parseInt(raw.toString('latin1', i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(raw[i]!);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
