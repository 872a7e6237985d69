import { AlreadyExistsError, ConflictError, NotFoundError } from '@berth/errdefs';
import type { DriverEndpointInfo, DriverEndpointSpec, DriverNetworkSpec, NetworkDriver } from '../network-driver.js';
import { macAddressForIpv4 } from './mac-address.js';

/** What the memory driver remembers of an endpoint. */
export interface MemoryEndpoint {
  spec: DriverEndpointSpec;
  macAddress?: string;
}

/**
 * A {@link NetworkDriver} that only keeps state in memory: networks, endpoints and their
 * addresses. It touches nothing on the host, so the memory engine and unit tests use it. It
 * simulates reachability (`canReach`) with the bridge driver's rules: two namespaces reach each
 * other when they share a network, and a namespace reaches a published host port of any endpoint.
 */
export class MemoryNetworkDriver implements NetworkDriver {
  readonly type: string;
  readonly capabilities = { ipam: true, portPublishing: true, gatewayDns: false, multipleNetworks: true };
  readonly #networks = new Map<string, { spec: DriverNetworkSpec; endpoints: Map<string, MemoryEndpoint> }>();

  /** `type` lets the memory engine stand in for `bridge` under that name. */
  constructor(options: { type?: string } = {}) {
    this.type = options.type ?? 'memory';
  }

  async createNetwork(spec: DriverNetworkSpec): Promise<void> {
    if (this.#networks.has(spec.id)) throw new AlreadyExistsError(`network ${spec.id} already exists in ${this.type} driver`);
    this.#networks.set(spec.id, { spec: structuredClone(spec), endpoints: new Map() });
  }

  async removeNetwork(networkId: string): Promise<void> {
    const network = this.#network(networkId);
    if (network.endpoints.size > 0) throw new ConflictError(`network ${network.spec.name} has ${network.endpoints.size} active endpoint(s)`);
    this.#networks.delete(networkId);
  }

  async connectEndpoint(spec: DriverEndpointSpec): Promise<DriverEndpointInfo> {
    const network = this.#network(spec.networkId);
    if (network.endpoints.has(spec.endpointId)) throw new AlreadyExistsError(`endpoint ${spec.endpointId} already exists`);
    const macAddress = spec.macAddress ?? (spec.ipv4Address ? macAddressForIpv4(spec.ipv4Address) : undefined);
    network.endpoints.set(spec.endpointId, { spec: structuredClone(spec), ...(macAddress ? { macAddress } : {}) });
    return { interfaceName: spec.interfaceName, ...(macAddress ? { macAddress } : {}) };
  }

  async disconnectEndpoint(networkId: string, endpointId: string): Promise<void> {
    this.#network(networkId).endpoints.delete(endpointId);
  }

  async close(): Promise<void> {
    this.#networks.clear();
  }

  /** Networks this driver holds (ids). */
  networkIds(): string[] {
    return [...this.#networks.keys()];
  }

  /** Endpoints of a network. */
  endpoints(networkId: string): MemoryEndpoint[] {
    return [...this.#network(networkId).endpoints.values()].map((endpoint) => structuredClone(endpoint));
  }

  /**
   * Whether a process in the namespace at `netnsPath` could reach `address` (no prefix): another
   * endpoint's address on a shared network, that network's gateway, or — with `port` — a host
   * port some endpoint publishes.
   */
  canReach(netnsPath: string, address: string, port?: { hostPort: number; protocol?: string }): boolean {
    for (const network of this.#networks.values()) {
      const endpoints = [...network.endpoints.values()];
      if (!endpoints.some((endpoint) => endpoint.spec.netnsPath === netnsPath)) continue;
      if (network.spec.ipv4?.gateway === address && !port) return true;
      if (endpoints.some((endpoint) => endpoint.spec.ipv4Address?.replace(/\/\d+$/, '') === address)) return true;
    }
    if (port) {
      return [...this.#networks.values()].some((network) =>
        [...network.endpoints.values()].some((endpoint) =>
          endpoint.spec.ports.some((binding) => binding.hostPort === port.hostPort && (!port.protocol || binding.protocol === port.protocol)),
        ),
      );
    }
    return false;
  }

  #network(networkId: string) {
    const network = this.#networks.get(networkId);
    if (!network) throw new NotFoundError(`network ${networkId} not found in ${this.type} driver`);
    return network;
  }
}

/** A new memory driver. */
export function createMemoryDriver(options: { type?: string } = {}): MemoryNetworkDriver {
  return new MemoryNetworkDriver(options);
}
