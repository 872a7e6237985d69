import { readFile, readdir } from 'node:fs/promises';

/** Memory of one process, from `/proc/<pid>/status` and `/proc/<pid>/smaps_rollup`, in kB. */
export interface ProcessMemory {
  pid: number;
  /** `comm` (the executable's short name: `node`, `dockerd`, `containerd`, `conmon` …). */
  name: string;
  /** VmRSS: resident pages, shared ones (libraries) counted in full. */
  rssKb: number;
  /** Pss: resident pages with shared ones divided among their users; sums across processes without double counting. */
  pssKb: number;
}

interface ProcInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

async function allProcesses(): Promise<ProcInfo[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const infos = await Promise.all(
    pids.map(async (pid) => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
        return { pid, ppid, cmdline };
      } catch {
        return undefined; // exited meanwhile
      }
    }),
  );
  return infos.filter((info): info is ProcInfo => info !== undefined);
}

/**
 * The processes that make up a daemon: `rootPid`, its descendants (containerd under dockerd),
 * and processes whose command line mentions one of `markers` with their descendants — the
 * per-container helpers that daemonize away from the tree (containerd-shim, conmon) and name
 * the daemon's private root or socket in their arguments.
 */
export async function daemonProcesses(rootPid: number, markers: readonly string[] = []): Promise<number[]> {
  const processes = await allProcesses();
  const children = new Map<number, number[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const found = new Set<number>();
  const visit = (pid: number) => {
    if (found.has(pid)) return;
    found.add(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  if (processes.some((p) => p.pid === rootPid)) visit(rootPid);
  for (const p of processes) if (markers.some((m) => p.cmdline.includes(m))) visit(p.pid);
  return [...found].sort((a, b) => a - b);
}

function statusField(status: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
}

/** VmRSS and Pss of each process (those that exited meanwhile are left out). */
export async function memoryOf(pids: readonly number[]): Promise<ProcessMemory[]> {
  const rows = await Promise.all(
    pids.map(async (pid) => {
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
        return {
          pid,
          name: /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?',
          rssKb: statusField(status, 'VmRSS'),
          pssKb: statusField(rollup, 'Pss'),
        };
      } catch {
        return undefined;
      }
    }),
  );
  return rows.filter((row): row is ProcessMemory => row !== undefined);
}

/** Sums of a set of processes' memory, in kB. */
export function totalMemory(rows: readonly ProcessMemory[]): { rssKb: number; pssKb: number } {
  return rows.reduce((sum, row) => ({ rssKb: sum.rssKb + row.rssKb, pssKb: sum.pssKb + row.pssKb }), { rssKb: 0, pssKb: 0 });
}
