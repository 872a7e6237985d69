import { randomBytes } from 'node:crypto';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  isNotFound,
  NotFoundError,
  PermissionDeniedError,
} from '@berth/errdefs';
import { EMBEDDED_DNS_ADDRESS, pointEmbeddedDns, redirectEmbeddedDns, routeEmbeddedDns } from '../dns/embedded-dns-address.js';
import { startDnsServer, type DnsServer } from '../dns/dns-server.js';
import { resolveForClient, resolveOnNetwork } from '../dns/network-names.js';
import type { HostNet } from '../hostnet/host-net.js';
import { SerialQueue } from '../internal/serial-queue.js';
import type { Ipam } from '../ipam/ipam.js';
import { DEFAULT_BRIDGE_NAME, BRIDGE_OPTIONS, PREDEFINED_NETWORKS, type Endpoint, type IpamPool, type Network } from '../network.js';
import type { DriverNetworkSpec, NetworkDriver } from '../network-driver.js';
import type { PortAllocator } from '../ports/port-allocator.js';
import type { PortMappingRequest } from '../ports/port-spec.js';
import type { NetworkStore } from './network-store.js';

/** What `createNetwork` accepts (docker's `NetworkCreateRequest`, camelCased). */
export interface NetworkCreateOptions {
  name: string;
  /** Driver type; `bridge` by default. */
  driver?: string;
  internal?: boolean;
  attachable?: boolean;
  enableIpv6?: boolean;
  ipam?: { driver?: string; config?: Array<Partial<IpamPool>> };
  labels?: Record<string, string>;
  options?: Record<string, string>;
}

/** What `connect` needs: the container, its namespace, and optional endpoint settings. */
export interface ConnectRequest {
  containerId: string;
  containerName: string;
  /** The container's network namespace file (from {@link NetworkNamespaces}). */
  netnsPath: string;
  aliases?: string[];
  /** Static addresses (`--ip`, `--ip6`); must lie in the network's subnet. */
  ipv4Address?: string;
  ipv6Address?: string;
  macAddress?: string;
  /** Ports to publish through this endpoint. */
  ports?: PortMappingRequest[];
  /** The container's `--dns` servers, the upstreams of its queries to the embedded DNS. */
  dnsServers?: string[];
}

/** Filters of `listNetworks` (all given ones must match). */
export interface NetworkListFilter {
  /** Substring of the name. */
  name?: string;
  /** Prefix of the id. */
  id?: string;
  driver?: string;
  /** `key` or `key=value`. */
  label?: string[];
}

/** Options of {@link NetworkController.open}. */
export interface NetworkControllerOptions {
  /** Drivers by type; `bridge`, `host`, `none` as available. */
  drivers: readonly NetworkDriver[];
  ipam: Ipam;
  store: NetworkStore;
  ports: PortAllocator;
  /**
   * Embedded DNS for user-defined networks whose driver supports `gatewayDns`: a server on
   * the gateway address, forwarding other names to `upstreams` (the host's resolvers). With
   * `hostNet`, containers reach it at docker's 127.0.0.11:53 inside their own namespace
   * (see {@link pointEmbeddedDns}); without, at the gateway.
   */
  dns?: { upstreams: readonly string[]; port?: number; hostNet?: HostNet };
  /** The default `bridge` network's Linux bridge name (`berth0`) and optional fixed subnet. */
  defaultBridge?: { bridgeName?: string; subnet?: string };
  now?: () => Date;
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function matchesLabel(labels: Record<string, string>, filter: string): boolean {
  const at = filter.indexOf('=');
  return at < 0 ? filter in labels : labels[filter.slice(0, at)] === filter.slice(at + 1);
}

/**
 * The network service the engine talks to: names and ids, IPAM, port allocation, embedded
 * DNS and persistence on top of the drivers. Lifecycle: `NetworkController.open(options)`
 * (reloads and re-creates persisted networks in the drivers) → `ensurePredefinedNetworks()` →
 * create/connect/disconnect/remove/prune → `close()` (stops DNS servers; host state stays).
 * Mutations are serialised; each is persisted before it resolves.
 */
export class NetworkController {
  readonly #networks = new Map<string, Network>();
  readonly #dnsServers = new Map<string, DnsServer>();
  /**
   * Containers whose 127.0.0.11 points at a network's server, and their namespace:
   * re-pointed when they leave that network for another with DNS. Persisted as the
   * endpoint's `embeddedDnsNetns`, and rebuilt from it when the controller opens.
   */
  readonly #dnsPointed = new Map<string, { networkId: string; netnsPath: string }>();
  readonly #queue = new SerialQueue();
  readonly #drivers: Map<string, NetworkDriver>;

  private constructor(private readonly options: NetworkControllerOptions) {
    this.#drivers = new Map(options.drivers.map((driver) => [driver.type, driver]));
  }

  /** Loads persisted networks and brings each back in its driver (and its DNS server). */
  static async open(options: NetworkControllerOptions): Promise<NetworkController> {
    const controller = new NetworkController(options);
    for (const network of await options.store.load()) {
      controller.#networks.set(network.id, network);
      for (const endpoint of Object.values(network.containers)) {
        if (endpoint.embeddedDnsNetns) controller.#dnsPointed.set(endpoint.containerId, { networkId: network.id, netnsPath: endpoint.embeddedDnsNetns });
      }
      for (const endpoint of Object.values(network.containers)) options.ports.reserve(endpoint.ports);
      const driver = controller.#drivers.get(network.driver);
      if (!driver) continue;
      await driver.createNetwork(controller.#driverSpec(network));
      await controller.#startDns(network, driver);
    }
    return controller;
  }

  /** Creates `bridge` (on `berth0`), `host` and `none` when their drivers are present and they do not exist. */
  ensurePredefinedNetworks(): Promise<Network[]> {
    return this.#queue.run(async () => {
      const created: Network[] = [];
      for (const name of PREDEFINED_NETWORKS) {
        if (!this.#drivers.has(name) || this.#byName(name)) continue;
        const subnet = name === 'bridge' ? this.options.defaultBridge?.subnet : undefined;
        created.push(
          await this.#create({
            name,
            driver: name,
            ...(subnet ? { ipam: { config: [{ subnet }] } } : {}),
            options: name === 'bridge' ? { [BRIDGE_OPTIONS.bridgeName]: this.options.defaultBridge?.bridgeName ?? DEFAULT_BRIDGE_NAME } : {},
          }),
        );
      }
      return created;
    });
  }

  /** Creates a network; a taken name → `Conflict`, unknown driver → `NotFound`. */
  createNetwork(options: NetworkCreateOptions): Promise<Network> {
    return this.#queue.run(async () => {
      if ((PREDEFINED_NETWORKS as readonly string[]).includes(options.name)) {
        throw new PermissionDeniedError(`${options.name} is a pre-defined network and cannot be created`);
      }
      return this.#create(options);
    });
  }

  /** A network by id, name or unique id prefix; `NotFound` otherwise. */
  inspectNetwork(idOrName: string): Network {
    return structuredClone(this.#find(idOrName));
  }

  /** Networks matching `filter`, by name. */
  listNetworks(filter: NetworkListFilter = {}): Network[] {
    return [...this.#networks.values()]
      .filter((network) => filter.name === undefined || network.name.includes(filter.name))
      .filter((network) => filter.id === undefined || network.id.startsWith(filter.id))
      .filter((network) => filter.driver === undefined || network.driver === filter.driver)
      .filter((network) => (filter.label ?? []).every((label) => matchesLabel(network.labels, label)))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((network) => structuredClone(network));
  }

  /** Removes a network: predefined → `PermissionDenied`; with endpoints → `Conflict`. */
  removeNetwork(idOrName: string): Promise<void> {
    return this.#queue.run(() => this.#remove(this.#find(idOrName)));
  }

  /** Removes every unused user-defined network (optionally only those with all `labels`); returns their names. */
  pruneNetworks(filter: { label?: string[] } = {}): Promise<string[]> {
    return this.#queue.run(async () => {
      const removed: string[] = [];
      for (const network of [...this.#networks.values()]) {
        if ((PREDEFINED_NETWORKS as readonly string[]).includes(network.name)) continue;
        if (Object.keys(network.containers).length > 0) continue;
        if (!(filter.label ?? []).every((label) => matchesLabel(network.labels, label))) continue;
        await this.#remove(network);
        removed.push(network.name);
      }
      return removed;
    });
  }

  /**
   * Attaches a container's namespace to a network: leases addresses (static ones must be free
   * — `Conflict` otherwise), allocates host ports, asks the driver to plug it in, records the
   * endpoint. The first network of a container gets `eth0`; the default route goes through
   * the first network that is not internal (docker: an internal network never routes out, so
   * a container on an internal and an ordinary network leaves through the ordinary one).
   * The first network with embedded DNS a container joins also gets its 127.0.0.11 (once per
   * container; see {@link NetworkControllerOptions.dns}).
   */
  connect(idOrName: string, request: ConnectRequest): Promise<Endpoint> {
    return this.#queue.run(async () => {
      const network = this.#find(idOrName);
      const driver = this.#driver(network.driver);
      if (network.containers[request.containerId]) {
        throw new AlreadyExistsError(`container ${request.containerId} is already attached to network ${network.name}`);
      }
      const ports = request.ports ?? [];
      if (ports.length > 0 && !driver.capabilities.portPublishing) {
        throw new InvalidArgumentError(`network ${network.name} (${network.driver}) cannot publish ports`);
      }
      const others = [...this.#networks.values()].flatMap((other) => (other.containers[request.containerId] ? [other.containers[request.containerId] as Endpoint] : []));
      const routedElsewhere = [...this.#networks.values()].some((other) => !other.internal && other.containers[request.containerId]?.gateway !== undefined);
      const dnsElsewhere = [...this.#networks.values()].some((other) => other.containers[request.containerId] !== undefined && this.#dnsServers.has(other.id));
      const usedNames = new Set(others.map((endpoint) => endpoint.interfaceName));
      let index = 0;
      while (usedNames.has(`eth${index}`)) index += 1;
      const endpointId = newId();
      const leases: string[] = [];
      let bindings: Endpoint['ports'] = [];
      let plugged = false;
      // Settles to the error, if any: awaited after the driver's work (or on the way out).
      let redirected: Promise<{ error: unknown } | undefined> | undefined;
      try {
        let ipv4Address: string | undefined;
        let ipv6Address: string | undefined;
        const pool4 = network.ipam.config.find((pool) => !pool.subnet.includes(':'));
        const pool6 = network.ipam.config.find((pool) => pool.subnet.includes(':'));
        if (driver.capabilities.ipam && pool4) {
          const address = await this.options.ipam.allocateAddress(network.id, 4, request.ipv4Address);
          leases.push(address);
          ipv4Address = `${address}/${pool4.subnet.split('/')[1]}`;
        } else if (request.ipv4Address) {
          throw new InvalidArgumentError(`network ${network.name} does not assign addresses; --ip is not allowed`);
        }
        if (driver.capabilities.ipam && pool6) {
          const address = await this.options.ipam.allocateAddress(network.id, 6, request.ipv6Address);
          leases.push(address);
          ipv6Address = `${address}/${pool6.subnet.split('/')[1]}`;
        }
        const defaultHostIp = network.options[BRIDGE_OPTIONS.hostBindingIpv4];
        bindings = await this.options.ports.allocate(ports, defaultHostIp ?? '0.0.0.0');
        // As dockerd: a port published without a host address on a network with IPv6 listens
        // on both families — a `0.0.0.0` and a `::` binding of the same host port.
        if (ipv6Address && defaultHostIp === undefined) {
          bindings = bindings.flatMap((binding, i) => (ports[i]?.hostIp === '' ? [binding, { ...binding, hostIp: '::' }] : [binding]));
        }
        // The first network with DNS points the container's 127.0.0.11 at its server. The nat
        // half needs only the namespace: it runs while the driver plugs the endpoint in.
        const hostNet = this.options.dns?.hostNet;
        const server = this.#dnsServers.get(network.id);
        const pointing = !dnsElsewhere && ipv4Address !== undefined && hostNet !== undefined && server !== undefined;
        if (pointing) {
          redirected = redirectEmbeddedDns(hostNet, request.netnsPath, { host: server.host, port: server.port }, { first: true }).then(
            () => undefined,
            (error: unknown) => ({ error }),
          );
        }
        const info = await driver.connectEndpoint({
          networkId: network.id,
          endpointId,
          containerId: request.containerId,
          netnsPath: request.netnsPath,
          interfaceName: `eth${index}`,
          defaultRoute: !network.internal && !routedElsewhere,
          ports: bindings,
          ...(ipv4Address ? { ipv4Address } : {}),
          ...(ipv6Address ? { ipv6Address } : {}),
          ...(request.macAddress ? { macAddress: request.macAddress } : {}),
        });
        plugged = true;
        if (pointing && ipv4Address) {
          const failed = await redirected;
          if (failed) throw failed.error;
          // The routing half needs the container's address, there now.
          await routeEmbeddedDns(hostNet, request.netnsPath, ipv4Address.replace(/\/\d+$/, ''));
          this.#dnsPointed.set(request.containerId, { networkId: network.id, netnsPath: request.netnsPath });
        }
        const endpoint: Endpoint = {
          endpointId,
          containerId: request.containerId,
          containerName: request.containerName.replace(/^\//, ''),
          aliases: [...(request.aliases ?? [])],
          ports: bindings,
          ...(ipv4Address ? { ipv4Address, gateway: pool4?.gateway } : {}),
          ...(ipv6Address ? { ipv6Address, ipv6Gateway: pool6?.gateway } : {}),
          ...(info.macAddress ? { macAddress: info.macAddress } : {}),
          ...(info.interfaceName ? { interfaceName: info.interfaceName } : {}),
          ...(request.ipv4Address ? { staticIpv4: true } : {}),
          ...(request.dnsServers && request.dnsServers.length > 0 ? { dnsServers: [...request.dnsServers] } : {}),
          ...(this.#dnsPointed.get(request.containerId)?.networkId === network.id ? { embeddedDnsNetns: request.netnsPath } : {}),
        };
        network.containers[request.containerId] = endpoint;
        await this.#persist();
        return structuredClone(endpoint);
      } catch (error) {
        await redirected;
        if (plugged) await driver.disconnectEndpoint(network.id, endpointId).catch(() => undefined);
        if (this.#dnsPointed.get(request.containerId)?.networkId === network.id) this.#dnsPointed.delete(request.containerId);
        delete network.containers[request.containerId];
        this.options.ports.release(bindings);
        for (const lease of leases) await this.options.ipam.releaseAddress(network.id, lease).catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Detaches a container: driver teardown, then its addresses and host ports are released. Not
   * attached → `NotFound`. A container whose 127.0.0.11 pointed at this network's DNS and that
   * stays on another network with DNS gets it re-pointed there (also after an engine restart:
   * the pointing is persisted with the endpoint).
   */
  disconnect(idOrName: string, containerId: string): Promise<void> {
    return this.#queue.run(async () => {
      const network = this.#find(idOrName);
      const endpoint = network.containers[containerId];
      if (!endpoint) throw new NotFoundError(`container ${containerId} is not connected to network ${network.name}`);
      await this.#driver(network.driver).disconnectEndpoint(network.id, endpoint.endpointId);
      for (const address of [endpoint.ipv4Address, endpoint.ipv6Address]) {
        if (address) await this.options.ipam.releaseAddress(network.id, address);
      }
      this.options.ports.release(endpoint.ports);
      delete network.containers[containerId];
      await this.#persist();
      const pointed = this.#dnsPointed.get(containerId);
      if (pointed?.networkId !== network.id) return;
      this.#dnsPointed.delete(containerId);
      const next = [...this.#networks.values()].find((other) => this.#dnsServers.has(other.id) && other.containers[containerId]?.ipv4Address);
      const address = next?.containers[containerId]?.ipv4Address;
      if (!next || !address) return;
      try {
        await this.#pointDns(next, containerId, pointed.netnsPath, address, { first: false });
      } catch (error) {
        // The namespace went away with its container: nothing left to point.
        if (!isNotFound(error)) throw error;
        return;
      }
      next.containers[containerId] = { ...next.containers[containerId]!, embeddedDnsNetns: pointed.netnsPath };
      await this.#persist();
    });
  }

  /** Embedded-DNS lookup on one network (see {@link resolveOnNetwork}); the default bridge resolves nothing. */
  resolve(idOrName: string, name: string, family: 4 | 6 = 4): string[] | undefined {
    const network = this.#find(idOrName);
    if (!this.#hasNameResolution(network)) return undefined;
    return resolveOnNetwork(network, name, family);
  }

  /**
   * Where a container on the network asks for names when the network has embedded DNS (point
   * its resolv.conf there): 127.0.0.11:53 when the controller points containers' namespaces at
   * the server (`dns.hostNet`), else the server's own address ({@link dnsListenerOf}).
   */
  dnsServerOf(idOrName: string): { host: string; port: number } | undefined {
    const listener = this.dnsListenerOf(idOrName);
    if (!listener) return undefined;
    return this.options.dns?.hostNet ? { host: EMBEDDED_DNS_ADDRESS, port: 53 } : listener;
  }

  /** Where the network's embedded DNS server listens (its gateway, host namespace), when one runs. */
  dnsListenerOf(idOrName: string): { host: string; port: number } | undefined {
    const server = this.#dnsServers.get(this.#find(idOrName).id);
    return server ? { host: server.host, port: server.port } : undefined;
  }

  /** Stops DNS servers and the drivers' in-process state; networks stay on the host and in the store. */
  close(): Promise<void> {
    return this.#queue.run(async () => {
      for (const server of this.#dnsServers.values()) await server.close();
      this.#dnsServers.clear();
      for (const driver of this.#drivers.values()) await driver.close();
    });
  }

  #hasNameResolution(network: Network): boolean {
    return !(PREDEFINED_NETWORKS as readonly string[]).includes(network.name);
  }

  async #create(options: NetworkCreateOptions): Promise<Network> {
    if (!NAME_PATTERN.test(options.name)) {
      throw new InvalidArgumentError(`invalid network name ${JSON.stringify(options.name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    if (this.#byName(options.name)) throw new ConflictError(`network with name ${options.name} already exists`);
    const driverType = options.driver ?? 'bridge';
    const driver = this.#driver(driverType);
    if (options.ipam?.driver && options.ipam.driver !== 'default') throw new InvalidArgumentError(`IPAM driver ${options.ipam.driver} is not supported`);
    const id = newId();
    const config: IpamPool[] = [];
    try {
      if (driver.capabilities.ipam) {
        const requested = options.ipam?.config ?? [];
        const v4 = requested.filter((pool) => !pool.subnet?.includes(':') && !pool.gateway?.includes(':'));
        const v6 = requested.filter((pool) => pool.subnet?.includes(':') || pool.gateway?.includes(':'));
        if (v4.length > 1 || v6.length > 1) throw new InvalidArgumentError('only one IPv4 and one IPv6 pool per network are supported');
        if (v6.length > 0 && !options.enableIpv6) throw new InvalidArgumentError('an IPv6 subnet needs enableIpv6');
        const reserve = async (family: 4 | 6, pool: Partial<IpamPool> | undefined): Promise<void> => {
          const reserved = await this.options.ipam.reservePool(id, {
            family,
            ...(pool?.subnet ? { subnet: pool.subnet } : {}),
            ...(pool?.gateway ? { gateway: pool.gateway } : {}),
            ...(pool?.ipRange ? { ipRange: pool.ipRange } : {}),
            ...(pool?.auxAddresses ? { auxAddresses: pool.auxAddresses } : {}),
          });
          config.push({ ...reserved, ...(pool?.auxAddresses ? { auxAddresses: pool.auxAddresses } : {}) });
        };
        await reserve(4, v4[0]);
        if (options.enableIpv6) await reserve(6, v6[0]);
      } else if ((options.ipam?.config ?? []).length > 0) {
        throw new InvalidArgumentError(`driver ${driverType} does not take IPAM configuration`);
      }
      const network: Network = {
        id,
        name: options.name,
        driver: driverType,
        scope: 'local',
        created: (this.options.now?.() ?? new Date()).toISOString(),
        internal: options.internal ?? false,
        attachable: options.attachable ?? true,
        enableIpv6: options.enableIpv6 ?? false,
        ipam: { driver: 'default', config },
        labels: { ...(options.labels ?? {}) },
        options: { ...(options.options ?? {}) },
        containers: {},
      };
      await driver.createNetwork(this.#driverSpec(network));
      this.#networks.set(id, network);
      try {
        await this.#startDns(network, driver);
        await this.#persist();
      } catch (error) {
        this.#networks.delete(id);
        await this.#dnsServers.get(id)?.close();
        this.#dnsServers.delete(id);
        await driver.removeNetwork(id).catch(() => undefined);
        throw error;
      }
      return structuredClone(network);
    } catch (error) {
      await this.options.ipam.releasePools(id);
      throw error;
    }
  }

  async #remove(network: Network): Promise<void> {
    if ((PREDEFINED_NETWORKS as readonly string[]).includes(network.name)) {
      throw new PermissionDeniedError(`${network.name} is a pre-defined network and cannot be removed`);
    }
    const active = Object.keys(network.containers).length;
    // libnetwork's ActiveEndpointsError is a Forbidden error: dockerd answers 403, and so do we.
    if (active > 0) throw new PermissionDeniedError(`error while removing network: network ${network.name} id ${network.id} has active endpoints (${active})`);
    await this.#dnsServers.get(network.id)?.close();
    this.#dnsServers.delete(network.id);
    await this.#drivers.get(network.driver)?.removeNetwork(network.id);
    await this.options.ipam.releasePools(network.id);
    this.#networks.delete(network.id);
    await this.#persist();
  }

  async #startDns(network: Network, driver: NetworkDriver): Promise<void> {
    const dns = this.options.dns;
    const gateway = network.ipam.config.find((pool) => !pool.subnet.includes(':'))?.gateway;
    if (!dns || !driver.capabilities.gatewayDns || !gateway || !this.#hasNameResolution(network)) return;
    const id = network.id;
    const server = await startDnsServer({
      host: gateway,
      port: dns.port ?? 53,
      upstreams: dns.upstreams,
      upstreamsFor: (client) => this.#dnsServersOf(client),
      resolve: (name, family, client) => {
        const current = this.#networks.get(id);
        if (!current) return undefined;
        const named = [...this.#networks.values()].filter((other) => this.#hasNameResolution(other));
        return resolveForClient(named, current, client, name, family);
      },
    });
    this.#dnsServers.set(id, server);
  }

  /** The `--dns` servers of the container whose address is `client`, if it has any. */
  #dnsServersOf(client: string): readonly string[] | undefined {
    for (const network of this.#networks.values()) {
      for (const endpoint of Object.values(network.containers)) {
        const addresses = [endpoint.ipv4Address, endpoint.ipv6Address].map((cidr) => cidr?.replace(/\/\d+$/, ''));
        if (addresses.includes(client)) return endpoint.dnsServers;
      }
    }
    return undefined;
  }

  /** Re-points the container's 127.0.0.11 at `network`'s DNS server as `address` (CIDR), when the controller points namespaces. */
  async #pointDns(network: Network, containerId: string, netnsPath: string, address: string, options: { first: boolean }): Promise<void> {
    const hostNet = this.options.dns?.hostNet;
    const server = this.#dnsServers.get(network.id);
    if (!hostNet || !server) return;
    await pointEmbeddedDns(hostNet, netnsPath, { listener: { host: server.host, port: server.port }, source: address.replace(/\/\d+$/, '') }, options);
    this.#dnsPointed.set(containerId, { networkId: network.id, netnsPath });
  }

  #driverSpec(network: Network): DriverNetworkSpec {
    const v4 = network.ipam.config.find((pool) => !pool.subnet.includes(':'));
    const v6 = network.ipam.config.find((pool) => pool.subnet.includes(':'));
    return {
      id: network.id,
      name: network.name,
      internal: network.internal,
      options: { ...network.options },
      ...(v4 ? { ipv4: { subnet: v4.subnet, gateway: v4.gateway } } : {}),
      ...(v6 ? { ipv6: { subnet: v6.subnet, gateway: v6.gateway } } : {}),
    };
  }

  #driver(type: string): NetworkDriver {
    const driver = this.#drivers.get(type);
    if (!driver) throw new NotFoundError(`plugin "${type}" not found: no such network driver`);
    return driver;
  }

  #byName(name: string): Network | undefined {
    return [...this.#networks.values()].find((network) => network.name === name);
  }

  #find(idOrName: string): Network {
    const exact = this.#networks.get(idOrName) ?? this.#byName(idOrName);
    if (exact) return exact;
    const byPrefix = idOrName.length > 0 ? [...this.#networks.values()].filter((network) => network.id.startsWith(idOrName)) : [];
    if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0];
    if (byPrefix.length > 1) throw new InvalidArgumentError(`network ${idOrName} is ambiguous (${byPrefix.length} matches)`);
    throw new NotFoundError(`network ${idOrName} not found`);
  }

  async #persist(): Promise<void> {
    await this.options.store.save([...this.#networks.values()]);
  }
}
