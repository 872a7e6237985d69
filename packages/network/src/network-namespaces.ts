import { join } from 'node:path';
import { InvalidArgumentError } from '@berth/errdefs';
import type { HostNet } from './hostnet/host-net.js';

/**
 * Containers' network namespaces as files under a directory of Berth's own (`<state>/netns/<id>`),
 * not `/run/netns`, so they never mix with the host's `ip netns` names and are removed with
 * Berth's state. A namespace is created before the container (runc joins it by path through
 * the OCI spec's `linux.namespaces: [{type: "network", path}]`) and outlives container restarts.
 */
export class NetworkNamespaces {
  constructor(
    private readonly hostNet: HostNet,
    /** Directory holding the namespace files. */
    readonly directory: string,
  ) {}

  /** Where a container's namespace file is (whether or not it exists). */
  pathOf(containerId: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(containerId)) throw new InvalidArgumentError(`invalid container id for a network namespace: ${JSON.stringify(containerId)}`);
    return join(this.directory, containerId);
  }

  /** Creates the namespace (loopback up) and returns its path; an existing one is reused. */
  async create(containerId: string): Promise<string> {
    const path = this.pathOf(containerId);
    if (!(await this.hostNet.netnsExists(path))) await this.hostNet.createNetns(path);
    return path;
  }

  /** Removes the namespace and with it every interface inside; missing is fine. */
  async remove(containerId: string): Promise<void> {
    const path = this.pathOf(containerId);
    if (await this.hostNet.netnsExists(path)) await this.hostNet.deleteNetns(path);
  }
}
