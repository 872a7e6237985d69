import { InternalError, isUnavailable } from '@berth/errdefs';
import { runProgram } from '@berth/program';

const fileLine = '# file: ';

/**
 * Copies the extended attributes of every entry under `source` onto the entry at the same
 * relative path under `target` (one `getfattr` dump, rewritten, one `setfattr --restore`).
 * Runs after ownership is copied: `chown` drops `security.capability`. Overlay-private
 * attributes (`trusted.overlay.*`) are left out. Best effort where the machine cannot do
 * it: without the `attr` tools, or on a file system without xattrs, nothing is copied.
 */
export async function copyXattrs(source: string, target: string, signal?: AbortSignal): Promise<void> {
  let dump;
  try {
    dump = await runProgram('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', source], { signal });
  } catch (err) {
    if (isUnavailable(err)) return;
    throw err;
  }
  if (dump.code !== 0) {
    if (/not supported/i.test(dump.stderr)) return;
    throw new InternalError(`cannot read the extended attributes under ${source}: ${dump.stderr.trim()}`);
  }
  const sourcePrefix = escapeDumpPath(source);
  const targetPrefix = escapeDumpPath(target);
  const restore: string[] = [];
  for (const line of dump.stdout.toString('utf8').split('\n')) {
    if (line.startsWith(fileLine)) {
      const path = line.slice(fileLine.length);
      if (path !== sourcePrefix && !path.startsWith(`${sourcePrefix}/`)) continue;
      restore.push('', `${fileLine}${targetPrefix}${path.slice(sourcePrefix.length)}`);
    } else if (line.includes('=') && !line.startsWith('trusted.overlay.')) {
      restore.push(line);
    }
  }
  if (!restore.some((line) => line.includes('='))) return;
  const result = await runProgram('setfattr', ['-h', '--restore=-'], { input: `${restore.join('\n')}\n`, signal });
  if (result.code !== 0 && !/not supported/i.test(result.stderr)) {
    throw new InternalError(`cannot copy the extended attributes into ${target}: ${result.stderr.trim()}`);
  }
}

/**
 * Escapes a path as `getfattr` writes it on `# file:` lines (and `setfattr --restore`
 * reads it): every byte that is not a safe printable ASCII character becomes `\ooo`.
 */
function escapeDumpPath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path)) {
    const safe = byte > 0x20 && byte < 0x7f && byte !== 0x5c && byte !== 0x3d;
    out += safe ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}
