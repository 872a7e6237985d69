import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { ConflictError, UnavailableError } from '@berth/errdefs';
import type { PortBinding, PortProtocol } from '../network.js';
import type { PortMappingRequest } from './port-spec.js';

/** Tells whether nothing on the host listens on a port (a bind probe on the real host). */
export type PortProbe = (hostIp: string, protocol: PortProtocol, port: number) => Promise<boolean>;

/** Options of {@link PortAllocator}. */
export interface PortAllocatorOptions {
  /** Range random host ports come from; docker uses 49153–60999. */
  ephemeralRange?: [number, number];
  /** Checks the host for listeners; by default every port not allocated here counts as free. */
  probe?: PortProbe;
  /** Source of randomness for the starting point in the range (tests pass a fixed one). */
  random?: () => number;
}

/** A probe that binds the port on the host and closes it again; free when the bind works. */
export const probeHostPort: PortProbe = (hostIp, protocol, port) =>
  new Promise((resolve) => {
    const address = hostIp === '' ? '0.0.0.0' : hostIp;
    if (protocol === 'udp') {
      const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, address, () => socket.close(() => resolve(true)));
      return;
    }
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: address, exclusive: true }, () => server.close(() => resolve(true)));
  });

const WILDCARDS = new Set(['', '0.0.0.0', '::']);

/**
 * Chooses host ports for published ports and remembers which are taken (by host IP and
 * protocol; a wildcard address clashes with every address). Lifecycle: `allocate` when an
 * endpoint is connected, `release` when it is disconnected; `reserve` re-registers leases
 * after a restart.
 */
export class PortAllocator {
  readonly #taken = new Map<string, PortBinding>();
  readonly #range: [number, number];

  constructor(private readonly options: PortAllocatorOptions = {}) {
    this.#range = options.ephemeralRange ?? [49153, 60999];
  }

  /** Resolves each request to a concrete host port; on failure nothing stays allocated. */
  async allocate(requests: readonly PortMappingRequest[], defaultHostIp = '0.0.0.0'): Promise<PortBinding[]> {
    const bindings: PortBinding[] = [];
    try {
      for (const request of requests) {
        const hostIp = request.hostIp === '' ? defaultHostIp : request.hostIp;
        const port = await this.#choose(hostIp, request);
        const binding: PortBinding = { containerPort: request.containerPort, protocol: request.protocol, hostIp, hostPort: port };
        this.#taken.set(this.#key(binding), binding);
        bindings.push(binding);
      }
    } catch (error) {
      this.release(bindings);
      throw error;
    }
    return bindings;
  }

  /** Marks bindings as taken without probing (state reloaded after a restart). */
  reserve(bindings: readonly PortBinding[]): void {
    for (const binding of bindings) this.#taken.set(this.#key(binding), binding);
  }

  /** Frees bindings; unknown ones are ignored. */
  release(bindings: readonly PortBinding[]): void {
    for (const binding of bindings) this.#taken.delete(this.#key(binding));
  }

  /** Bindings currently allocated. */
  allocated(): PortBinding[] {
    return [...this.#taken.values()];
  }

  #key(binding: Pick<PortBinding, 'hostIp' | 'protocol' | 'hostPort'>): string {
    return `${binding.hostIp}|${binding.protocol}|${binding.hostPort}`;
  }

  #clashes(hostIp: string, protocol: PortProtocol, port: number): boolean {
    for (const taken of this.#taken.values()) {
      if (taken.protocol !== protocol || taken.hostPort !== port) continue;
      if (taken.hostIp === hostIp || WILDCARDS.has(taken.hostIp) || WILDCARDS.has(hostIp)) return true;
    }
    return false;
  }

  async #free(hostIp: string, protocol: PortProtocol, port: number): Promise<boolean> {
    if (this.#clashes(hostIp, protocol, port)) return false;
    return this.options.probe ? this.options.probe(hostIp, protocol, port) : true;
  }

  async #choose(hostIp: string, request: PortMappingRequest): Promise<number> {
    const [start, end] = request.hostPortRange;
    if (start !== 0 && start === end) {
      if (!(await this.#free(hostIp, request.protocol, start))) {
        throw new ConflictError(`Bind for ${hostIp}:${start} failed: port is already allocated`);
      }
      return start;
    }
    const [low, high] = start === 0 ? this.#range : [start, end];
    const size = high - low + 1;
    const offset = Math.floor((this.options.random ?? Math.random)() * size);
    for (let i = 0; i < size; i += 1) {
      const port = low + ((offset + i) % size);
      if (await this.#free(hostIp, request.protocol, port)) return port;
    }
    throw new UnavailableError(`no free host port in ${low}-${high} for ${hostIp}/${request.protocol}`);
  }
}
