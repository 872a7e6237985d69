import { isNotFound } from '@berth/errdefs';
import { type PortMappingRequest, type PortProtocol, parseExposedPort, publishAllRequests } from '@berth/network';
import type { NetworkNamespace } from '@berth/container';
import type { ContainerContext } from './container-context.js';
import type { ContainerEntry } from './container-table.js';

/** The port mappings a container asks for: its bindings, plus every exposed port with `publishAllPorts`. */
export function portRequestsOf(entry: ContainerEntry, imageExposed: readonly string[]): PortMappingRequest[] {
  const { options } = entry.record;
  const requests: PortMappingRequest[] = [];
  for (const [key, bindings] of Object.entries(options.portBindings ?? {})) {
    for (const port of parseExposedPort(key)) {
      const [number, protocol] = port.split('/') as [string, PortProtocol];
      for (const binding of bindings.length > 0 ? bindings : [{}]) {
        const hostPort = Number(binding.hostPort ?? 0) || 0;
        requests.push({ containerPort: Number(number), protocol, hostIp: binding.hostIp ?? '', hostPortRange: [hostPort, hostPort] });
      }
    }
  }
  if (options.publishAllPorts) {
    const bound = new Set(requests.map((r) => `${r.containerPort}/${r.protocol}`));
    const exposed = [...new Set([...(options.exposedPorts ?? []), ...imageExposed])];
    requests.push(...publishAllRequests(exposed).filter((r) => !bound.has(`${r.containerPort}/${r.protocol}`)));
  }
  return requests;
}

/**
 * The network namespace a running container's processes are in, as a path another process
 * can join (`container:<x>`, `network connect`, inspect's `SandboxKey`): the namespace file
 * the engine made under its state root — except with network mode `none`, where runc made
 * the namespace along with the container and no file names it: then its init's
 * `/proc/<pid>/ns/net`.
 */
export function networkNamespaceOf(context: ContainerContext, entry: ContainerEntry): string {
  const { record } = entry;
  if (record.networkMode === 'none' && record.state.pid > 0) return `/proc/${record.state.pid}/ns/net`;
  return context.host.netns.pathOf(record.id);
}

/**
 * Gives a starting container its network namespace and endpoints: `host` shares the host's,
 * `container:<x>` joins a running container's, `none` (with no network connected) gets an
 * empty one that runc creates with the container (loopback up, as runc does for every new
 * network namespace: no namespace file, no `unshare`/`ip` processes), anything else gets a
 * namespace of its own made beforehand, connected to each of its networks (ports published
 * on the first). Events: network `connect`.
 */
export async function attachNetworks(context: ContainerContext, entry: ContainerEntry, imageExposed: readonly string[]): Promise<NetworkNamespace> {
  const { record } = entry;
  const mode = record.networkMode;
  if (mode === 'host') return { mode: 'host' };
  if (mode.startsWith('container:')) {
    const other = context.table.get(mode.slice('container:'.length));
    return { mode: 'join', path: networkNamespaceOf(context, other) };
  }
  if (mode === 'none' && Object.keys(record.networks).length === 0) return { mode: 'private' };
  const netnsPath = await context.host.netns.create(record.id);
  const controller = context.engine.components.networks;
  let ports = portRequestsOf(entry, imageExposed);
  for (const [name, settings] of Object.entries(record.networks)) {
    const endpoint = await controller.connect(name, {
      containerId: record.id,
      containerName: record.name,
      netnsPath,
      aliases: [...(settings.aliases ?? []), record.id.slice(0, 12)],
      ...(settings.ipv4Address ? { ipv4Address: settings.ipv4Address } : {}),
      ...(settings.ipv6Address ? { ipv6Address: settings.ipv6Address } : {}),
      ...(record.options.dns ? { dnsServers: record.options.dns } : {}),
      ports,
    });
    ports = [];
    settings.endpoint = endpoint;
    const network = controller.inspectNetwork(name);
    context.engine.bus.emit({ type: 'network', action: 'connect', actor: { id: network.id, attributes: { container: record.id, name: network.name, type: network.driver } } });
  }
  return { mode: 'join', path: netnsPath };
}

/** Releases a stopped container's endpoints and namespace (settings stay). Events: network `disconnect`. */
export async function detachNetworks(context: ContainerContext, entry: ContainerEntry): Promise<void> {
  const { record } = entry;
  const controller = context.engine.components.networks;
  for (const [name, settings] of Object.entries(record.networks)) {
    if (!settings.endpoint) continue;
    delete settings.endpoint;
    try {
      const network = controller.inspectNetwork(name);
      await controller.disconnect(network.id, record.id);
      context.engine.bus.emit({ type: 'network', action: 'disconnect', actor: { id: network.id, attributes: { container: record.id, name: network.name, type: network.driver } } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  const mode = record.networkMode;
  if (mode !== 'host' && !mode.startsWith('container:')) await context.host.netns.remove(record.id);
}

