import { AlreadyExistsError, ConflictError, InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import type { DriverEndpointInfo, DriverEndpointSpec, DriverNetworkSpec, NetworkDriver } from '../network-driver.js';

/**
 * The `host` and `none` drivers: one predefined network each, no addresses, nothing to set up
 * per endpoint. `host` containers share the host's namespace (the engine creates none); `none`
 * containers get their own namespace with only loopback (brought up when it is created).
 * They track endpoints only so that removal and inspect behave like other networks.
 */
function createNamespaceModeDriver(type: 'host' | 'none'): NetworkDriver {
  let networkId: string | undefined;
  const endpoints = new Set<string>();
  return {
    type,
    capabilities: { ipam: false, portPublishing: false, gatewayDns: false, multipleNetworks: false },
    async createNetwork(spec: DriverNetworkSpec) {
      if (networkId === spec.id) throw new AlreadyExistsError(`network ${spec.id} already exists in ${type} driver`);
      if (networkId !== undefined) throw new ConflictError(`only one instance of "${type}" network is allowed`);
      networkId = spec.id;
    },
    async removeNetwork(id: string) {
      if (networkId !== id) throw new NotFoundError(`network ${id} not found in ${type} driver`);
      if (endpoints.size > 0) throw new ConflictError(`${type} network has active endpoints`);
      networkId = undefined;
    },
    async connectEndpoint(spec: DriverEndpointSpec): Promise<DriverEndpointInfo> {
      if (networkId !== spec.networkId) throw new NotFoundError(`network ${spec.networkId} not found in ${type} driver`);
      if (spec.ports.length > 0) throw new InvalidArgumentError(`ports cannot be published on the ${type} network`);
      if (endpoints.has(spec.endpointId)) throw new AlreadyExistsError(`endpoint ${spec.endpointId} already exists`);
      endpoints.add(spec.endpointId);
      return { interfaceName: '' };
    },
    async disconnectEndpoint(id: string, endpointId: string) {
      if (networkId !== id) throw new NotFoundError(`network ${id} not found in ${type} driver`);
      endpoints.delete(endpointId);
    },
    async close() {
      networkId = undefined;
      endpoints.clear();
    },
  };
}

/** The `host` driver: containers use the host's network namespace. */
export function createHostDriver(): NetworkDriver {
  return createNamespaceModeDriver('host');
}

/** The `none` driver: containers get a namespace with loopback only. */
export function createNoneDriver(): NetworkDriver {
  return createNamespaceModeDriver('none');
}
