import type { RuntimeStats } from '@berth/container';

/**
 * Traffic counters of one interface of a container (docker's `networks.<iface>` in stats,
 * camelCased). `ContainerStats.networks` holds these per interface name (`eth0`…).
 */
export interface ContainerNetworkStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/** The per-interface counters of a runtime sample; none for a container on the host's network. */
export function networkStatsOf(sample: RuntimeStats): Record<string, ContainerNetworkStats> {
  const result: Record<string, ContainerNetworkStats> = {};
  for (const [name, counters] of Object.entries(sample.networks ?? {})) result[name] = { ...counters };
  return result;
}
