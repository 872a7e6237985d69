import { FailedPreconditionError, PermissionDeniedError } from '@berth/errdefs';
import type { Endpoint, Network } from '@berth/network';
import type { NetworkConnectOptions } from '../networks/network-types.js';
import type { ContainerContext } from './container-context.js';
import { networkNamespaceOf } from './container-networking.js';
import { refreshNetworkFiles } from './container-network-files.js';
import { serialized } from './container-table.js';

function emitNetworkEvent(context: ContainerContext, action: 'connect' | 'disconnect', network: Network, containerId: string): void {
  context.engine.bus.emit({ type: 'network', action, actor: { id: network.id, attributes: { container: containerId, name: network.name, type: network.driver } } });
}

/**
 * `docker network connect`: records the network in the container's settings, and for a
 * running container connects it now (a created one joins at start). Already connected →
 * `Conflict`. Event: network `connect`.
 */
export async function connectContainer(context: ContainerContext, networkName: string, container: string, options: NetworkConnectOptions = {}): Promise<Endpoint | undefined> {
  const entry = context.table.get(container);
  const controller = context.engine.components.networks;
  const network = controller.inspectNetwork(networkName);
  return serialized(entry, async () => {
    const { record } = entry;
    if (record.networks[network.name]) {
      // libnetwork answers a second connect with a Forbidden error (dockerd: 403).
      throw new PermissionDeniedError(`endpoint with name ${record.name} already exists in network ${network.name}`);
    }
    const settings: (typeof record.networks)[string] = {
      ...(options.aliases ? { aliases: options.aliases } : {}),
      ...(options.ipv4Address ? { ipv4Address: options.ipv4Address } : {}),
      ...(options.ipv6Address ? { ipv6Address: options.ipv6Address } : {}),
    };
    if (record.state.status === 'running' || record.state.status === 'paused') {
      settings.endpoint = await controller.connect(network.id, {
        containerId: record.id,
        containerName: record.name,
        netnsPath: networkNamespaceOf(context, entry),
        aliases: [...(options.aliases ?? []), record.id.slice(0, 12)],
        ...(options.ipv4Address ? { ipv4Address: options.ipv4Address } : {}),
        ...(options.ipv6Address ? { ipv6Address: options.ipv6Address } : {}),
        ...(options.macAddress ? { macAddress: options.macAddress } : {}),
        ...(record.options.dns ? { dnsServers: record.options.dns } : {}),
      });
    }
    record.networks[network.name] = settings;
    await context.table.save(entry);
    if (settings.endpoint) await refreshNetworkFiles(context, entry);
    emitNetworkEvent(context, 'connect', network, record.id);
    return settings.endpoint;
  });
}

/**
 * `docker network disconnect`: releases a running container's endpoint and forgets the
 * network. Not connected → `FailedPrecondition`; with `force`, an endpoint of a container
 * the engine no longer knows is released too. Event: network `disconnect`.
 */
export async function disconnectContainer(context: ContainerContext, networkName: string, container: string, options: { force?: boolean } = {}): Promise<void> {
  const controller = context.engine.components.networks;
  const network = controller.inspectNetwork(networkName);
  const entry = context.table.find(container);
  if (!entry) {
    if (options.force && network.containers[container]) {
      await controller.disconnect(network.id, container);
      emitNetworkEvent(context, 'disconnect', network, container);
      return;
    }
    context.table.get(container);
    return;
  }
  await serialized(entry, async () => {
    const { record } = entry;
    const settings = record.networks[network.name];
    if (!settings) throw new FailedPreconditionError(`container ${record.id} is not connected to network ${network.name}`);
    if (settings.endpoint) await controller.disconnect(network.id, record.id);
    delete record.networks[network.name];
    await context.table.save(entry);
    if (settings.endpoint) await refreshNetworkFiles(context, entry);
    emitNetworkEvent(context, 'disconnect', network, record.id);
  });
}
