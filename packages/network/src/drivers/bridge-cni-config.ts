import { CNI_VERSION, type CniNetworkConfig } from '../cni/cni-plugins.js';

/** What the `bridge` plugin configuration of one endpoint is made of (all decided by Berth). */
export interface BridgeCniConfigInput {
  /** CNI network name (the Berth network's name). */
  networkName: string;
  /** The Linux bridge Berth created for the network. */
  bridge: string;
  mtu?: number;
  /** The container interface's MAC, passed as the `mac` capability. */
  macAddress: string;
  /** Addresses from Berth's IPAM, CIDR form, with the network's gateways. */
  ipv4: { address: string; gateway: string };
  ipv6?: { address: string; gateway: string };
  /** Install default routes through the gateways (the container's first network). */
  defaultRoute: boolean;
}

/**
 * The network configuration sent to the CNI `bridge` plugin for one endpoint: the plugin
 * makes the veth pair, puts the host side on Berth's bridge with hairpin mode and configures
 * the container side through `static` IPAM fed with the addresses Berth's IPAM allocated (so
 * no second allocator keeps state). `isGateway`/`ipMasq` stay off: the bridge's gateway
 * address, NAT and the firewall are Berth's (see `createBridgeDriver`).
 */
export function bridgeCniConfig(input: BridgeCniConfigInput): CniNetworkConfig {
  const addresses = [input.ipv4, ...(input.ipv6 ? [input.ipv6] : [])];
  const routes = input.defaultRoute
    ? [
        { dst: '0.0.0.0/0', gw: input.ipv4.gateway },
        ...(input.ipv6 ? [{ dst: '::/0', gw: input.ipv6.gateway }] : []),
      ]
    : [];
  return {
    cniVersion: CNI_VERSION,
    name: input.networkName,
    type: 'bridge',
    bridge: input.bridge,
    isGateway: false,
    isDefaultGateway: false,
    ipMasq: false,
    hairpinMode: true,
    ...(input.mtu ? { mtu: input.mtu } : {}),
    capabilities: { mac: true },
    runtimeConfig: { mac: input.macAddress },
    ipam: {
      type: 'static',
      addresses: addresses.map(({ address, gateway }) => ({ address, gateway })),
      routes,
    },
  };
}
