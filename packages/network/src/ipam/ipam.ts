import { ConflictError, InvalidArgumentError, NotFoundError, UnavailableError } from '@berth/errdefs';
import { DEFAULT_ADDRESS_POOLS, DEFAULT_IPV6_POOLS, type AddressPool } from './default-pools.js';
import type { IpamPoolState, IpamState, IpamStore } from './ipam-store.js';
import {
  formatIp,
  formatSubnet,
  parseIp,
  parseSubnet,
  subnetContains,
  subnetSize,
  subnetsOverlap,
  type IpFamily,
  type Subnet,
} from './ip-address.js';

/** What a network asks of IPAM for one family; everything optional means "pick for me". */
export interface PoolRequest {
  family: IpFamily;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  auxAddresses?: Record<string, string>;
}

/** The pool IPAM reserved for a network. */
export interface ReservedPool {
  subnet: string;
  gateway: string;
  ipRange?: string;
}

/** Options of {@link Ipam.open}. */
export interface IpamOptions {
  /** IPv4 pools to carve subnets from; docker's defaults when absent. */
  pools?: readonly AddressPool[];
  ipv6Pools?: readonly AddressPool[];
  /** Subnets in use on the host (its routes); automatic subnets never overlap them. */
  hostSubnets?: () => Promise<string[]>;
}

/**
 * IP address management: hands out subnets to networks and addresses to endpoints, and keeps
 * every lease in an {@link IpamStore} so they survive restarts. Mutations are serialised and
 * each is persisted before it resolves. Lifecycle: `Ipam.open(store)` → reservePool /
 * allocateAddress / releaseAddress / releasePools.
 */
export class Ipam {
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: IpamStore,
    private state: IpamState,
    private readonly options: IpamOptions,
  ) {}

  /** Loads persisted leases from `store`. */
  static async open(store: IpamStore, options: IpamOptions = {}): Promise<Ipam> {
    return new Ipam(store, await store.load(), options);
  }

  /** Pools reserved for a network, IPv4 first. */
  pools(networkId: string): ReservedPool[] {
    return this.state.pools
      .filter((pool) => pool.networkId === networkId)
      .sort((a, b) => a.family - b.family)
      .map(({ subnet, gateway, ipRange }) => (ipRange ? { subnet, gateway, ipRange } : { subnet, gateway }));
  }

  /** Addresses currently leased in a network's pool of `family`. */
  allocated(networkId: string, family: IpFamily = 4): string[] {
    return [...(this.#pool(networkId, family)?.allocated ?? [])];
  }

  /**
   * Reserves a subnet for `networkId`. A named subnet must not overlap another network's;
   * otherwise the first free subnet of the default pools not routed on the host is taken.
   */
  reservePool(networkId: string, request: PoolRequest): Promise<ReservedPool> {
    return this.#mutate(async (state) => {
      if (this.#pool(networkId, request.family)) {
        throw new ConflictError(`network ${networkId} already has an IPv${request.family} pool`);
      }
      const taken = state.pools.filter((pool) => pool.family === request.family).map((pool) => parseSubnet(pool.subnet));
      let subnet: Subnet;
      if (request.subnet) {
        subnet = parseSubnet(request.subnet);
        if (subnet.family !== request.family) throw new InvalidArgumentError(`subnet ${request.subnet} is not IPv${request.family}`);
        const clash = state.pools.find((pool) => pool.family === request.family && subnetsOverlap(parseSubnet(pool.subnet), subnet));
        if (clash) throw new ConflictError(`Pool overlaps with other one on this address space: ${request.subnet} overlaps ${clash.subnet}`);
      } else {
        subnet = await this.#freeSubnet(request.family, taken);
      }
      if (subnetSize(subnet) < 4n && subnet.family === 4) {
        throw new InvalidArgumentError(`subnet ${formatSubnet(subnet)} is too small for a network`);
      }
      const range = request.ipRange ? parseSubnet(request.ipRange) : undefined;
      if (range && (range.family !== subnet.family || range.prefix < subnet.prefix || !subnetContains(subnet, { family: range.family, value: range.network }))) {
        throw new InvalidArgumentError(`ip-range ${request.ipRange} is not inside subnet ${formatSubnet(subnet)}`);
      }
      const gateway = request.gateway ? parseIp(request.gateway) : { family: subnet.family, value: subnet.network + 1n };
      if (!subnetContains(subnet, gateway)) {
        throw new InvalidArgumentError(`gateway ${request.gateway} is not inside subnet ${formatSubnet(subnet)}`);
      }
      const reserved = Object.values(request.auxAddresses ?? {}).map((address) => {
        const ip = parseIp(address);
        if (!subnetContains(subnet, ip)) throw new InvalidArgumentError(`auxiliary address ${address} is not inside subnet ${formatSubnet(subnet)}`);
        return formatIp(ip);
      });
      const pool: IpamPoolState = {
        networkId,
        family: request.family,
        subnet: formatSubnet(subnet),
        gateway: formatIp(gateway),
        reserved,
        allocated: [],
        ...(range ? { ipRange: formatSubnet(range) } : {}),
      };
      state.pools.push(pool);
      return pool.ipRange ? { subnet: pool.subnet, gateway: pool.gateway, ipRange: pool.ipRange } : { subnet: pool.subnet, gateway: pool.gateway };
    });
  }

  /** Releases a network's pools and every lease in them. Unknown networks are a no-op. */
  releasePools(networkId: string): Promise<void> {
    return this.#mutate(async (state) => {
      state.pools = state.pools.filter((pool) => pool.networkId !== networkId);
    });
  }

  /**
   * Leases an address in the network's `family` pool: `preferred` when given (must be in the
   * subnet and free — `Conflict` otherwise), else the lowest free one in the ip-range (or subnet).
   * Returns the address without prefix.
   */
  allocateAddress(networkId: string, family: IpFamily = 4, preferred?: string): Promise<string> {
    return this.#mutate(async () => {
      const pool = this.#pool(networkId, family);
      if (!pool) throw new NotFoundError(`network ${networkId} has no IPv${family} pool`);
      const subnet = parseSubnet(pool.subnet);
      const unavailable = new Set([pool.gateway, ...pool.reserved, ...pool.allocated]);
      if (preferred !== undefined) {
        const ip = parseIp(preferred);
        if (!subnetContains(subnet, ip)) throw new InvalidArgumentError(`address ${preferred} is not in subnet ${pool.subnet}`);
        const text = formatIp(ip);
        if (unavailable.has(text)) throw new ConflictError(`Address already in use: ${text} on network ${networkId}`);
        pool.allocated.push(text);
        return text;
      }
      const range = pool.ipRange ? parseSubnet(pool.ipRange) : subnet;
      const first = range.network;
      const last = range.network + subnetSize(range) - 1n;
      const subnetLast = subnet.network + subnetSize(subnet) - 1n;
      for (let value = first; value <= last; value += 1n) {
        if (value === subnet.network) continue;
        if (family === 4 && value === subnetLast) continue; // broadcast
        const text = formatIp({ family, value });
        if (unavailable.has(text)) continue;
        pool.allocated.push(text);
        return text;
      }
      throw new UnavailableError(`no available IPv${family} addresses on network ${networkId} (${pool.ipRange ?? pool.subnet} exhausted)`);
    });
  }

  /** Returns a lease; releasing an address that is not leased is a no-op. */
  releaseAddress(networkId: string, address: string): Promise<void> {
    return this.#mutate(async () => {
      const ip = parseIp(address.replace(/\/\d+$/, ''));
      const pool = this.#pool(networkId, ip.family);
      if (!pool) return;
      const text = formatIp(ip);
      pool.allocated = pool.allocated.filter((leased) => leased !== text);
    });
  }

  #pool(networkId: string, family: IpFamily): IpamPoolState | undefined {
    return this.state.pools.find((pool) => pool.networkId === networkId && pool.family === family);
  }

  async #freeSubnet(family: IpFamily, taken: Subnet[]): Promise<Subnet> {
    const pools = family === 4 ? (this.options.pools ?? DEFAULT_ADDRESS_POOLS) : (this.options.ipv6Pools ?? DEFAULT_IPV6_POOLS);
    const host = (await this.options.hostSubnets?.()) ?? [];
    const busy = [
      ...taken,
      ...host.flatMap((text) => {
        try {
          return [parseSubnet(text, true)];
        } catch {
          return [];
        }
      }),
    ].filter((subnet) => subnet.family === family && subnet.prefix > 0);
    for (const pool of pools) {
      const base = parseSubnet(pool.base);
      const step = 1n << BigInt((family === 4 ? 32 : 128) - pool.size);
      const count = subnetSize(base) / step;
      for (let i = 0n; i < count && i < 65536n; i += 1n) {
        const candidate: Subnet = { family, network: base.network + i * step, prefix: pool.size };
        if (!busy.some((other) => subnetsOverlap(other, candidate))) return candidate;
      }
    }
    throw new UnavailableError(`all predefined address pools have been fully subnetted (IPv${family})`);
  }

  /** Runs one mutation at a time on a copy; the copy becomes the state only once it is saved. */
  #mutate<T>(mutation: (state: IpamState) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const draft = structuredClone(this.state);
      const previous = this.state;
      this.state = draft;
      try {
        const result = await mutation(draft);
        await this.store.save(draft);
        return result;
      } catch (error) {
        this.state = previous;
        throw error;
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
