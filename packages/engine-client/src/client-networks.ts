import { ContainerInspectResponseSchema, NetworkCreateResponseSchema, NetworkPruneResponseSchema, NetworkSchema } from '@berth/docker-api';
import type { NetworksApi } from '@berth/engine';
import { z } from 'zod';
import { type ClientContext, filtersQuery, segment } from './internal/client-context.js';
import { endpointFromWire, networkCreateToWire, networkFromWire } from './wire-codec.js';

/** Networks over `/networks/*`. */
export function clientNetworks({ transport }: ClientContext): NetworksApi {
  const path = (id: string, rest = '') => `/networks/${segment(id)}${rest}`;
  const inspect: NetworksApi['inspect'] = async (idOrName) => networkFromWire(await transport.json({ method: 'GET', path: path(idOrName) }, NetworkSchema));

  return {
    async create(options) {
      const reply = await transport.json({ method: 'POST', path: '/networks/create', json: networkCreateToWire(options) }, NetworkCreateResponseSchema);
      return inspect(reply.Id ?? options.name);
    },
    inspect,
    async list(options = {}) {
      const wire = await transport.json({ method: 'GET', path: '/networks', query: { filters: filtersQuery(options.filters) } }, z.array(NetworkSchema).nullable());
      return (wire ?? []).map(networkFromWire);
    },
    async remove(idOrName) {
      await transport.empty({ method: 'DELETE', path: path(idOrName) });
    },
    async connect(idOrName, container, options = {}) {
      await transport.empty({
        method: 'POST',
        path: path(idOrName, '/connect'),
        json: {
          Container: container,
          EndpointConfig: {
            ...(options.aliases ? { Aliases: options.aliases } : {}),
            ...(options.macAddress ? { MacAddress: options.macAddress } : {}),
            ...(options.ipv4Address || options.ipv6Address
              ? { IPAMConfig: { ...(options.ipv4Address ? { IPv4Address: options.ipv4Address } : {}), ...(options.ipv6Address ? { IPv6Address: options.ipv6Address } : {}) } }
              : {}),
          },
        },
      });
      // docker answers with nothing: the endpoint is in the container's settings (absent until it starts).
      const network = await inspect(idOrName);
      const wire = await transport.json({ method: 'GET', path: `/containers/${segment(container)}/json` }, ContainerInspectResponseSchema);
      const settings = wire.NetworkSettings?.Networks?.[network.name];
      if (!settings || !settings.EndpointID) return undefined;
      return endpointFromWire(settings, wire.Id ?? '', (wire.Name ?? '').replace(/^\//, ''));
    },
    async disconnect(idOrName, container, options = {}) {
      await transport.empty({ method: 'POST', path: path(idOrName, '/disconnect'), json: { Container: container, Force: options.force ?? false } });
    },
    async prune(options = {}) {
      const reply = await transport.json({ method: 'POST', path: '/networks/prune', query: { filters: filtersQuery(options.filters) } }, NetworkPruneResponseSchema);
      return { networksDeleted: reply.NetworksDeleted ?? [] };
    },
  };
}
