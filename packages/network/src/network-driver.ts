import type { PortBinding } from './network.js';

/** What a driver needs to know to create a network: identity, addresses (from IPAM), options. */
export interface DriverNetworkSpec {
  id: string;
  name: string;
  internal: boolean;
  /** IPv4 subnet (CIDR) and gateway; absent for drivers without IPAM. */
  ipv4?: { subnet: string; gateway: string };
  ipv6?: { subnet: string; gateway: string };
  /** Driver options (docker's `com.docker.network.*` keys). */
  options: Record<string, string>;
}

/** What a driver needs to attach a container's network namespace to a network. */
export interface DriverEndpointSpec {
  networkId: string;
  endpointId: string;
  containerId: string;
  /** Path of the container's network namespace file (bind mount of `/proc/<pid>/ns/net`). */
  netnsPath: string;
  /** Interface name inside the namespace (`eth0`, `eth1`, …). */
  interfaceName: string;
  /** Address in CIDR form, e.g. `172.18.0.2/16`. */
  ipv4Address?: string;
  ipv6Address?: string;
  macAddress?: string;
  /** Install the default route through this network's gateway (first network of a container). */
  defaultRoute: boolean;
  /** Ports to publish, host ports already allocated. */
  ports: PortBinding[];
}

/** What the driver reports back about an endpoint it set up. */
export interface DriverEndpointInfo {
  interfaceName: string;
  macAddress?: string;
  /** Host-side interface (veth), when there is one. */
  hostInterface?: string;
}

/** What a driver can do; the controller and the conformance suite branch on these. */
export interface NetworkDriverCapabilities {
  /** Networks of this driver get subnets and endpoints get addresses from IPAM. */
  ipam: boolean;
  /** Endpoints can publish ports. */
  portPublishing: boolean;
  /** The embedded DNS server can listen on the network's gateway address on the host. */
  gatewayDns: boolean;
  /** More than one network of this driver may exist (`host` and `none` are singletons). */
  multipleNetworks: boolean;
}

/**
 * A network driver: creates and removes networks and plugs container namespaces into them.
 * Lifecycle: `createNetwork` → any number of `connectEndpoint`/`disconnectEndpoint` →
 * `removeNetwork` (only once no endpoint is left) → eventually `close`. Naming, IPAM, port
 * allocation and DNS are the controller's work; a driver only realises what it is told.
 * Errors: unknown network or endpoint → `NotFound`; duplicate id → `AlreadyExists`; removing a
 * network that still has endpoints → `Conflict`.
 */
export interface NetworkDriver {
  /** Driver type name, e.g. `bridge`. */
  readonly type: string;
  readonly capabilities: NetworkDriverCapabilities;
  createNetwork(spec: DriverNetworkSpec): Promise<void>;
  removeNetwork(networkId: string): Promise<void>;
  connectEndpoint(spec: DriverEndpointSpec): Promise<DriverEndpointInfo>;
  /** Idempotent: an endpoint the driver does not know (already gone, or made before a restart) is cleaned up by its id or ignored. */
  disconnectEndpoint(networkId: string, endpointId: string): Promise<void>;
  /** Forget in-process state; what the driver made on the host stays (engine restarts keep containers). */
  close(): Promise<void>;
}
