import type { ContainerPathStat as EnginePathStat } from '@berth/engine';
import { GoFileModeBits } from '../archive-path-stat.js';
import type { ContainerPathStat } from '../archive-path-stat.js';

const S_IFMT = 0o170000;
const typeBits: Record<number, number> = {
  0o040000: GoFileModeBits.directory,
  0o120000: GoFileModeBits.symlink,
  0o010000: GoFileModeBits.namedPipe,
  0o140000: GoFileModeBits.socket,
  0o060000: GoFileModeBits.device,
  0o020000: GoFileModeBits.device + GoFileModeBits.charDevice,
};

/**
 * A path stat with a POSIX `st_mode` → docker's, whose `mode` is a Go `os.FileMode`
 * (permission bits, setuid/setgid/sticky moved to Go's bits, type bits on top).
 */
export function pathStatToWire(stat: EnginePathStat): ContainerPathStat {
  const posix = stat.mode;
  let mode = posix & 0o777;
  if (posix & 0o4000) mode += 2 ** 23; // Go's ModeSetuid
  if (posix & 0o2000) mode += 2 ** 22; // ModeSetgid
  if (posix & 0o1000) mode += 2 ** 20; // ModeSticky
  mode += typeBits[posix & S_IFMT] ?? 0;
  return { name: stat.name, size: stat.size, mode, mtime: stat.mtime.toISOString(), linkTarget: stat.linkTarget };
}
