import { readFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { FailedPreconditionError, NotImplementedError } from '@berth/errdefs';
import type { RuntimeStats } from '../runtime/oci-runtime.js';

/** Kernel clock ticks per second for `cpuacct.stat` and /proc/stat (USER_HZ is 100 on Linux). */
const userHz = 100;
const nsPerTick = 1e9 / userHz;
/** cgroup v1 writes "no limit" as a page-aligned 2^63 − 1. */
const unlimited = 2 ** 62;

/** A cgroup v1 hierarchy: where it is mounted and which directory of the hierarchy that is. */
interface Hierarchy {
  mountPoint: string;
  root: string;
}

/** The cgroup v1 hierarchies of this mount namespace, by controller name. */
async function cgroupMounts(): Promise<Map<string, Hierarchy>> {
  const mounts = new Map<string, Hierarchy>();
  for (const line of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [fsType, , superOptions = ''] = right.split(' ');
    if (fsType !== 'cgroup') continue;
    const fields = left.split(' ');
    const root = fields[3]!;
    const mountPoint = fields[4]!;
    for (const option of superOptions.split(',')) {
      if (option !== 'rw' && option !== 'ro' && !mounts.has(option)) mounts.set(option, { mountPoint, root });
    }
  }
  return mounts;
}

/** The cgroup path of `pid` in each v1 controller (from /proc/<pid>/cgroup). */
async function processCgroups(pid: number): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    throw new FailedPreconditionError(`process ${pid} is gone: the container is not running`);
  }
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match || match[1] === '') continue;
    for (const controller of match[1]!.split(',')) paths.set(controller, match[2]!);
  }
  return paths;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function readNumber(path: string): Promise<number> {
  const text = await readText(path);
  const n = text === undefined ? NaN : Number(text.trim());
  return Number.isFinite(n) ? n : 0;
}

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat) as a record. */
function keyValues(text: string | undefined): Record<string, number> {
  const result: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^-?\d+$/.test(value)) result[key] = Number(value);
  }
  return result;
}

/** CPU time of the whole host, ns, from the first line of /proc/stat (as docker computes it). */
async function hostCpuNs(): Promise<number> {
  const first = (await readText('/proc/stat'))?.split('\n')[0] ?? '';
  const ticks = first.trim().split(/\s+/).slice(1, 8).map(Number);
  return ticks.reduce((sum, t) => sum + (Number.isFinite(t) ? t : 0), 0) * nsPerTick;
}

/**
 * Resource usage of the cgroup of process `pid` (a container's init), read from the
 * cgroup v1 files as `docker stats` reports them: cpuacct usage (total, per CPU,
 * user/system), CFS throttling, memory usage/max/limit/failcnt and memory.stat, pids,
 * blkio bytes. `NotImplemented` on a host without cgroup v1 controllers.
 */
export async function readCgroupStats(pid: number, now: Date = new Date()): Promise<RuntimeStats> {
  const [mounts, paths] = await Promise.all([cgroupMounts(), processCgroups(pid)]);
  if (mounts.size === 0) throw new NotImplementedError('container stats need cgroup v1 controllers, and this host has none');
  const dir = (controller: string): string | undefined => {
    const hierarchy = mounts.get(controller);
    const path = paths.get(controller);
    if (!hierarchy || path === undefined) return undefined;
    const relative = hierarchy.root !== '/' && path.startsWith(hierarchy.root) ? path.slice(hierarchy.root.length) : path;
    return join(hierarchy.mountPoint, relative);
  };
  const file = (controller: string, name: string) => {
    const d = dir(controller);
    return d === undefined ? '/nonexistent' : join(d, name);
  };

  const [usage, perCpuText, cpuacctStat, cpuStat, systemUsageNs] = await Promise.all([
    readNumber(file('cpuacct', 'cpuacct.usage')),
    readText(file('cpuacct', 'cpuacct.usage_percpu')),
    readText(file('cpuacct', 'cpuacct.stat')).then(keyValues),
    readText(file('cpu', 'cpu.stat')).then(keyValues),
    hostCpuNs(),
  ]);
  const perCpuNs = (perCpuText ?? '').trim().split(/\s+/).filter((v) => v !== '').map(Number);

  const [memUsage, memMax, memLimit, memFailcnt, memStat] = await Promise.all([
    readNumber(file('memory', 'memory.usage_in_bytes')),
    readNumber(file('memory', 'memory.max_usage_in_bytes')),
    readNumber(file('memory', 'memory.limit_in_bytes')),
    readNumber(file('memory', 'memory.failcnt')),
    readText(file('memory', 'memory.stat')).then(keyValues),
  ]);

  const [pidsCurrent, pidsMax, blkioText] = await Promise.all([
    readNumber(file('pids', 'pids.current')),
    readText(file('pids', 'pids.max')),
    readText(file('blkio', 'blkio.throttle.io_service_bytes_recursive')).then(
      async (text) => text ?? (await readText(file('blkio', 'blkio.throttle.io_service_bytes'))),
    ),
  ]);
  const ioServiceBytes: RuntimeStats['blkio']['ioServiceBytes'] = [];
  for (const line of (blkioText ?? '').split('\n')) {
    const match = /^(\d+):(\d+)\s+(\S+)\s+(\d+)$/.exec(line.trim());
    if (match) ioServiceBytes.push({ major: Number(match[1]), minor: Number(match[2]), op: match[3]!, value: Number(match[4]) });
  }
  const maxPids = pidsMax?.trim();

  return {
    read: now,
    cpu: {
      totalNs: usage,
      userNs: (cpuacctStat.user ?? 0) * nsPerTick,
      systemNs: (cpuacctStat.system ?? 0) * nsPerTick,
      perCpuNs,
      systemUsageNs,
      onlineCpus: perCpuNs.length || availableParallelism(),
      throttling: {
        periods: cpuStat.nr_periods ?? 0,
        throttledPeriods: cpuStat.nr_throttled ?? 0,
        throttledTimeNs: cpuStat.throttled_time ?? 0,
      },
    },
    memory: {
      usage: memUsage,
      maxUsage: memMax,
      limit: memLimit > 0 && memLimit < unlimited ? Math.min(memLimit, totalmem()) : totalmem(),
      failcnt: memFailcnt,
      stats: memStat,
    },
    pids: { current: pidsCurrent, limit: maxPids && maxPids !== 'max' ? Number(maxPids) : undefined },
    blkio: { ioServiceBytes },
  };
}
