import { InvalidArgumentError } from '@berth/errdefs';
import { PREDEFINED_NETWORKS, type Network } from '@berth/network';
import type { NetworksApi } from '../engine.js';
import { parseUntil } from '../images/image-prune.js';
import type { EngineContext } from '../internal/engine-context.js';

const listKeys = new Set(['name', 'id', 'driver', 'label', 'type', 'dangling', 'scope']);
const pruneKeys = new Set(['label', 'label!', 'until']);

function matchesLabel(labels: Record<string, string>, term: string): boolean {
  const at = term.indexOf('=');
  return at < 0 ? term in labels : labels[term.slice(0, at)] === term.slice(at + 1);
}

function checkKeys(filters: Record<string, readonly string[]>, known: Set<string>): void {
  for (const key of Object.keys(filters)) {
    if (!known.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
}

const isPredefined = (network: Network) => (PREDEFINED_NETWORKS as readonly string[]).includes(network.name);

/** Whether a network passes docker's list filters (any value of a key; every key). */
function matchesListFilters(network: Network, filters: Record<string, readonly string[]>): boolean {
  const some = (key: string, test: (value: string) => boolean) => {
    const values = filters[key];
    return values === undefined || values.length === 0 || values.some(test);
  };
  return (
    some('name', (value) => network.name.includes(value)) &&
    some('id', (value) => network.id.startsWith(value)) &&
    some('driver', (value) => network.driver === value) &&
    some('scope', (value) => network.scope === value) &&
    some('type', (value) => (value === 'builtin' ? isPredefined(network) : value === 'custom' ? !isPredefined(network) : false)) &&
    some('dangling', (value) => (value === 'true' || value === '1') === (!isPredefined(network) && Object.keys(network.containers).length === 0)) &&
    (filters.label ?? []).every((term) => matchesLabel(network.labels, term))
  );
}

/**
 * The engine's {@link NetworksApi} over the network controller. Connecting containers is
 * delegated to the container part through `connectContainer`/`disconnectContainer`, which
 * know the container's namespace; until containers exist they report the container missing.
 */
export function createNetworksApi(
  context: EngineContext,
  containers: {
    connect: NetworksApi['connect'];
    disconnect: NetworksApi['disconnect'];
  },
): NetworksApi {
  const controller = context.components.networks;
  const { bus } = context;
  const emit = (action: 'create' | 'destroy' | 'prune', network: Pick<Network, 'id' | 'name' | 'driver'>) =>
    bus.emit({ type: 'network', action, actor: { id: network.id, attributes: { name: network.name, type: network.driver } } });
  return {
    async create(options) {
      const network = await controller.createNetwork(options);
      emit('create', network);
      return network;
    },
    async inspect(idOrName) {
      return controller.inspectNetwork(idOrName);
    },
    async list(options = {}) {
      const filters = options.filters ?? {};
      checkKeys(filters, listKeys);
      return controller.listNetworks().filter((network) => matchesListFilters(network, filters));
    },
    async remove(idOrName) {
      const network = controller.inspectNetwork(idOrName);
      await controller.removeNetwork(network.id);
      emit('destroy', network);
    },
    connect: (idOrName, container, options) => containers.connect(idOrName, container, options),
    disconnect: (idOrName, container, options) => containers.disconnect(idOrName, container, options),
    async prune(options = {}) {
      const filters = options.filters ?? {};
      checkKeys(filters, pruneKeys);
      const until = (filters.until ?? []).map(parseUntil);
      const deleted: string[] = [];
      for (const network of controller.listNetworks()) {
        if (isPredefined(network) || Object.keys(network.containers).length > 0) continue;
        if (!(filters.label ?? []).every((term) => matchesLabel(network.labels, term))) continue;
        if ((filters['label!'] ?? []).some((term) => matchesLabel(network.labels, term))) continue;
        if (until.some((limit) => new Date(network.created).getTime() >= limit.getTime())) continue;
        await controller.removeNetwork(network.id);
        emit('destroy', network);
        deleted.push(network.name);
      }
      bus.emit({ type: 'network', action: 'prune', actor: { id: '', attributes: { count: String(deleted.length) } } });
      return { networksDeleted: deleted };
    },
  };
}
