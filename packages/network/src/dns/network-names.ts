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
