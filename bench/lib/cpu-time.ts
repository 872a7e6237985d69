import { readFile } from 'node:fs/promises';

/** Kernel clock ticks per second of `/proc/<pid>/stat` times (USER_HZ: 100 on Linux). */
const ticksPerSecond = 100;

/** CPU time (user + system) of a process, in ms, from `/proc/<pid>/stat`. */
export interface ProcessCpu {
  /** The process itself, all its threads. */
  selfMs: number;
  /** Its children that have exited and been waited for. */
  childrenMs: number;
}

/**
 * Reads the CPU time of process `pid` (default: this one). Children count once they have
 * been waited for, so a command run to completion is in `childrenMs` afterwards.
 */
export async function processCpu(pid: number | 'self' = 'self'): Promise<ProcessCpu> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) in parentheses; utime is field 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  const toMs = (ticks: number) => (ticks * 1000) / ticksPerSecond;
  return { selfMs: toMs(field(14) + field(15)), childrenMs: toMs(field(16) + field(17)) };
}

/** CPU ms used between two readings, self and children together. */
export function cpuBetween(before: ProcessCpu, after: ProcessCpu): number {
  return after.selfMs + after.childrenMs - before.selfMs - before.childrenMs;
}
