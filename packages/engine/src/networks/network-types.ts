import type { IpamPool, Network } from '@berth/network';

/** `docker network inspect`: the network model of `@berth/network` (already camelCased). */
export type NetworkInspect = Network;

/** Options of `networks.create` (docker's `NetworkCreateRequest`, camelCased). */
export interface NetworkCreateOptions {
  name: string;
  /** `bridge` by default. */
  driver?: string;
  internal?: boolean;
  attachable?: boolean;
  enableIpv6?: boolean;
  ipam?: { driver?: string; config?: Array<Partial<IpamPool>> };
  labels?: Record<string, string>;
  options?: Record<string, string>;
}

/** Options of `networks.list`. */
export interface NetworkListOptions {
  /** docker's filters: `name` (substring), `id` (prefix), `driver`, `label`, `type` (`custom`/`builtin`), `dangling`. */
  filters?: Record<string, readonly string[]>;
}

/** Options of `networks.connect`. */
export interface NetworkConnectOptions {
  aliases?: string[];
  ipv4Address?: string;
  ipv6Address?: string;
  macAddress?: string;
}

/** Options of `networks.prune`. */
export interface NetworkPruneOptions {
  /** `label`, `label!`, `until`. */
  filters?: Record<string, readonly string[]>;
}

/** What `networks.prune` removed. */
export interface NetworkPruneReport {
  networksDeleted: string[];
}
