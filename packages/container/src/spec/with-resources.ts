import type { LinuxResources } from '@berth/spec';
import type { Resources } from '../config/container-config.js';
import { resourcesOf, type SpecOption } from './spec-option.js';

/** cgroup v1 bounds docker clamps cpu shares to. */
const minCpuShares = 2;
const maxCpuShares = 262144;
/** The CFS period `nanoCpus` is expressed in (100 ms, as docker). */
const nanoCpuPeriod = 100_000;

/** What the host's cgroups can do, for limits docker drops when the kernel cannot. */
export interface HostCgroupSupport {
  /** The memory controller accounts swap (`memory.memsw.*` exists); default `true`. */
  swapLimit?: boolean;
}

/**
 * The `linux.resources` docker derives from a container's resources: memory limit,
 * reservation, swap (default twice the limit, dropped when the host cannot limit swap),
 * swappiness, OOM killer; cpu shares (clamped to 2…262144), cpuset, CFS period/quota
 * (`nanoCpus` becomes a quota over a 100 ms period); pids limit (only when set); blkio
 * weight. Device rules already in the spec are kept.
 */
export function linuxResourcesFor(r: Resources, host: HostCgroupSupport = {}): LinuxResources {
  const out: LinuxResources = {};
  const memory: NonNullable<LinuxResources['memory']> = {};
  if (r.memory) memory.limit = r.memory;
  if (r.memoryReservation) memory.reservation = r.memoryReservation;
  if (host.swapLimit ?? true) {
    let swap = r.memorySwap ?? 0;
    if (r.memory && swap === 0) swap = r.memory * 2;
    if (swap !== 0) memory.swap = swap;
    if (r.memorySwappiness !== undefined) memory.swappiness = r.memorySwappiness;
  }
  if (r.oomKillDisable !== undefined) memory.disableOOMKiller = r.oomKillDisable;
  if (Object.keys(memory).length > 0) out.memory = memory;

  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (r.cpuShares) cpu.shares = Math.min(maxCpuShares, Math.max(minCpuShares, r.cpuShares));
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (r.nanoCpus) {
    cpu.period = nanoCpuPeriod;
    cpu.quota = Math.floor((r.nanoCpus * nanoCpuPeriod) / 1e9);
  }
  if (r.cpuPeriod) cpu.period = r.cpuPeriod;
  if (r.cpuQuota) cpu.quota = r.cpuQuota;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;

  if (r.pidsLimit !== undefined && r.pidsLimit !== 0) out.pids = { limit: r.pidsLimit > 0 ? r.pidsLimit : -1 };
  if (r.blkioWeight) out.blockIO = { weight: r.blkioWeight };
  return out;
}

/** Applies a container's resource limits (see {@link linuxResourcesFor}), keeping the device rules. */
export function withResources(resources: Resources, host: HostCgroupSupport = {}): SpecOption {
  return (spec) => {
    const current = resourcesOf(spec);
    const next = linuxResourcesFor(resources, host);
    for (const key of ['memory', 'cpu', 'pids', 'blockIO'] as const) {
      if (next[key] === undefined) delete current[key];
      else current[key] = next[key] as never;
    }
  };
}
