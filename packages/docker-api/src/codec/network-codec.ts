import type { NetworkConnectOptions, NetworkCreateOptions, NetworkInspect } from '@berth/engine';
import { InvalidArgumentError } from '@berth/errdefs';
import type { Network, NetworkConnectRequest, NetworkCreateRequest } from '../generated/engine-api-schemas.js';

/** `docker network inspect` → docker's `Network`. */
export function networkToWire(n: NetworkInspect): Network {
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: n.scope,
    Driver: n.driver,
    EnableIPv4: true,
    EnableIPv6: n.enableIpv6,
    IPAM: {
      Driver: n.ipam.driver,
      Options: null,
      Config: n.ipam.config.map((c) => ({
        Subnet: c.subnet,
        Gateway: c.gateway,
        ...(c.ipRange ? { IPRange: c.ipRange } : {}),
        ...(c.auxAddresses ? { AuxiliaryAddresses: c.auxAddresses } : {}),
      })),
    },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      Object.entries(n.containers).map(([id, e]) => [
        id,
        { Name: e.containerName, EndpointID: e.endpointId, MacAddress: e.macAddress ?? '', IPv4Address: e.ipv4Address ?? '', IPv6Address: e.ipv6Address ?? '' },
      ]),
    ),
    Options: n.options,
    Labels: n.labels,
  };
}

/** `POST /networks/create` body → the engine's options; the name is required, as dockerd says. */
export function networkCreateOptionsFromWire(request: NetworkCreateRequest): NetworkCreateOptions {
  if (!request.Name) throw new InvalidArgumentError('network name is required');
  const options: NetworkCreateOptions = { name: request.Name };
  if (request.Driver) options.driver = request.Driver;
  if (request.Internal) options.internal = true;
  if (request.Attachable) options.attachable = true;
  if (request.EnableIPv6) options.enableIpv6 = true;
  if (request.Labels) options.labels = request.Labels;
  if (request.Options) options.options = request.Options;
  if (request.IPAM) {
    options.ipam = {
      ...(request.IPAM.Driver ? { driver: request.IPAM.Driver } : {}),
      ...(request.IPAM.Config
        ? {
            config: request.IPAM.Config.map((c) => ({
              ...(c.Subnet ? { subnet: c.Subnet } : {}),
              ...(c.Gateway ? { gateway: c.Gateway } : {}),
              ...(c.IPRange ? { ipRange: c.IPRange } : {}),
              ...(c.AuxiliaryAddresses ? { auxAddresses: c.AuxiliaryAddresses } : {}),
            })),
          }
        : {}),
    };
  }
  return options;
}

/** `POST /networks/{id}/connect` body → the container and the engine's endpoint options. */
export function networkConnectFromWire(request: NetworkConnectRequest): { container: string; options: NetworkConnectOptions } {
  if (!request.Container) throw new InvalidArgumentError('container is required');
  const e = request.EndpointConfig;
  const options: NetworkConnectOptions = {};
  if (e?.Aliases) options.aliases = e.Aliases;
  if (e?.IPAMConfig?.IPv4Address) options.ipv4Address = e.IPAMConfig.IPv4Address;
  if (e?.IPAMConfig?.IPv6Address) options.ipv6Address = e.IPAMConfig.IPv6Address;
  if (e?.MacAddress) options.macAddress = e.MacAddress;
  return { container: request.Container, options };
}
