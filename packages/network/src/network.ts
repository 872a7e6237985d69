/**
 * The network model: what a network is once created, and what a container's attachment to it
 * (an endpoint) holds. Plain data, persisted by the controller and returned by inspect.
 */

/** One IPAM pool of a network: a subnet, its gateway, and optionally the sub-range to allocate from. */
export interface IpamPool {
  /** CIDR, e.g. `172.18.0.0/16`. */
  subnet: string;
  /** Gateway address (no prefix), e.g. `172.18.0.1`. */
  gateway: string;
  /** CIDR inside `subnet` that dynamic addresses are taken from. */
  ipRange?: string;
  /** Addresses reserved by name, never handed to containers. */
  auxAddresses?: Record<string, string>;
}

/** A created network, as inspect returns it. */
export interface Network {
  /** 64 hex characters. */
  id: string;
  /** Unique name; `bridge`, `host` and `none` are predefined. */
  name: string;
  /** Driver type: `bridge`, `host`, `none`, `memory`, … */
  driver: string;
  scope: 'local';
  /** ISO-8601 creation time. */
  created: string;
  /** No route outside: no masquerade, forwarding to other interfaces dropped. */
  internal: boolean;
  /** Standalone containers may connect (always true for local networks; kept for the API). */
  attachable: boolean;
  enableIpv6: boolean;
  /** IPv4 pools first, then IPv6. Empty for `host` and `none`. */
  ipam: { driver: 'default'; config: IpamPool[] };
  labels: Record<string, string>;
  /** Driver options, e.g. `com.docker.network.bridge.name`, `com.docker.network.driver.mtu`. */
  options: Record<string, string>;
  /** Endpoints by container id. */
  containers: Record<string, Endpoint>;
}

/** A container's attachment to a network. */
export interface Endpoint {
  /** 64 hex characters. */
  endpointId: string;
  containerId: string;
  /** Container name (without leading `/`); resolvable by DNS on user-defined networks. */
  containerName: string;
  /** Extra DNS names on this network only. */
  aliases: string[];
  /** CIDR form, e.g. `172.18.0.2/16`; absent on networks without IPAM. */
  ipv4Address?: string;
  ipv6Address?: string;
  /** Gateway addresses the container routes through. */
  gateway?: string;
  ipv6Gateway?: string;
  macAddress?: string;
  /** Interface name inside the container, e.g. `eth0`. */
  interfaceName?: string;
  /** Ports published through this endpoint (host ports resolved). */
  ports: PortBinding[];
  /** The address was asked for by the user (`--ip`) rather than allocated. */
  staticIpv4?: boolean;
  /**
   * The container's own nameservers (`--dns`): behind 127.0.0.11 the embedded DNS forwards
   * this container's other names to them instead of the host's resolvers, as docker's does.
   */
  dnsServers?: string[];
  /**
   * Set on the one endpoint whose network's DNS server the container's 127.0.0.11 points at:
   * the container's namespace, so a restarted engine still knows where to re-point it when
   * the container leaves that network.
   */
  embeddedDnsNetns?: string;
}

/** Transport protocol of a port. */
export type PortProtocol = 'tcp' | 'udp' | 'sctp';

/** A published port after allocation: host side resolved to one concrete port. */
export interface PortBinding {
  containerPort: number;
  protocol: PortProtocol;
  /** `0.0.0.0` (all IPv4), `::` or a specific address. */
  hostIp: string;
  hostPort: number;
}

/** Option keys understood by the bridge driver (docker's names). */
export const BRIDGE_OPTIONS = {
  bridgeName: 'com.docker.network.bridge.name',
  enableIcc: 'com.docker.network.bridge.enable_icc',
  enableIpMasquerade: 'com.docker.network.bridge.enable_ip_masquerade',
  mtu: 'com.docker.network.driver.mtu',
  hostBindingIpv4: 'com.docker.network.bridge.host_binding_ipv4',
} as const;

/** Names of the predefined networks; they cannot be removed. */
export const PREDEFINED_NETWORKS = ['bridge', 'host', 'none'] as const;

/** The Linux bridge of the default `bridge` network (docker's is docker0; ours never collides). */
export const DEFAULT_BRIDGE_NAME = 'berth0';
