import type { Network } from '../network.js';

/** The names an endpoint answers to on its network: container name, aliases, short id. */
export function endpointNames(endpoint: Network['containers'][string]): string[] {
  return [endpoint.containerName, ...endpoint.aliases, endpoint.containerId.slice(0, 12)].filter((name) => name !== '');
}

/**
 * Resolves `name` on one network the way the embedded DNS does: case-insensitively against
 * every endpoint's names. Returns the addresses of `family` (without prefix) — an empty list
 * when the name exists but has no address of that family — or `undefined` when the name is
 * not on the network at all (the server then forwards it to the host's resolvers).
 */
export function resolveOnNetwork(network: Network, name: string, family: 4 | 6): string[] | undefined {
  const wanted = name.replace(/\.$/, '').toLowerCase();
  let known = false;
  const addresses: string[] = [];
  for (const endpoint of Object.values(network.containers)) {
    if (!endpointNames(endpoint).some((candidate) => candidate.toLowerCase() === wanted)) continue;
    known = true;
    const cidr = family === 4 ? endpoint.ipv4Address : endpoint.ipv6Address;
    if (cidr) addresses.push(cidr.replace(/\/\d+$/, ''));
  }
  return known ? addresses : undefined;
}

/** Whether `address` (no prefix length) is one of the endpoint's addresses. */
function endpointHas(endpoint: Network['containers'][string], address: string): boolean {
  return [endpoint.ipv4Address, endpoint.ipv6Address].some((cidr) => cidr !== undefined && cidr.replace(/\/\d+$/, '') === address);
}

/**
 * Resolves `name` for whoever asked from `client`, as docker's embedded DNS does: the asking
 * container is found by that address (on the network the query `arrived` on first, then on
 * the others), and the name is looked up on every network of `networks` the container is
 * attached to — the arrival network first, the first answer with addresses wins — so a
 * container on A and B resolves names of both, and none of a network C it is not on. A
 * client that is no container (the host) gets the answers of the arrival network.
 * `networks` are the networks with name resolution (not the default bridge).
 */
export function resolveForClient(networks: readonly Network[], arrived: Network, client: string, name: string, family: 4 | 6): string[] | undefined {
  const ordered = [arrived, ...networks.filter((network) => network.id !== arrived.id)];
  const asker = ordered.flatMap((network) => Object.values(network.containers)).find((endpoint) => endpointHas(endpoint, client));
  const attached = (network: Network) => Object.values(network.containers).some((endpoint) => endpoint.containerId === asker?.containerId);
  const searched = asker ? ordered.filter((network) => attached(network) && networks.some((n) => n.id === network.id)) : [arrived];
  let known: string[] | undefined;
  for (const network of searched) {
    const addresses = resolveOnNetwork(network, name, family);
    if (addresses && addresses.length > 0) return addresses;
    known ??= addresses;
  }
  return known;
}
