import { AlreadyExistsError, ConflictError, InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import type { HostNet } from '../hostnet/host-net.js';
import { SerialQueue } from '../internal/serial-queue.js';
import { BRIDGE_OPTIONS } from '../network.js';
import type { DriverEndpointInfo, DriverEndpointSpec, DriverNetworkSpec, NetworkDriver } from '../network-driver.js';
import {
  bridgeChains,
  deleteTaggedRules,
  installChains,
  networkRules,
  portRules,
  removeChainsIfEmpty,
  ruleTag,
  type BridgeChains,
} from './bridge-firewall.js';
import { macAddressForIpv4 } from './mac-address.js';

/** Options of {@link createBridgeDriver}. */
export interface BridgeDriverOptions {
  hostNet: HostNet;
  /** Prefix of our iptables chains (`BERTH` → `BERTH-FORWARD`, …); tests pass a unique one. */
  chainPrefix?: string;
  /** Turn on `net.ipv4.ip_forward` when it is off (containers cannot reach out otherwise). Default true. */
  enableIpForward?: boolean;
}

interface BridgeNetwork {
  spec: DriverNetworkSpec;
  bridge: string;
  endpoints: Map<string, { hostVeth: string; netnsPath: string }>;
}

/** The Linux bridge of a network: the `com.docker.network.bridge.name` option or `br-<id12>`. */
export function bridgeNameOf(spec: Pick<DriverNetworkSpec, 'id' | 'options'>): string {
  const name = spec.options[BRIDGE_OPTIONS.bridgeName] ?? `br-${spec.id.slice(0, 12)}`;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new InvalidArgumentError(`invalid bridge name ${JSON.stringify(name)}: 1–15 characters of [A-Za-z0-9_.-]`);
  return name;
}

/** Host side of an endpoint's veth pair (`veth` + 7 hex, like docker's). */
export function hostVethName(endpointId: string): string {
  return `veth${endpointId.slice(0, 7)}`;
}

function prefixOf(cidr: string): string {
  return cidr.split('/')[1] ?? '';
}

/**
 * The `bridge` driver, done directly through {@link HostNet} rather than through the CNI
 * plugins: IPAM, port allocation and DNS already live in the controller, so the CNI bridge,
 * host-local, portmap and firewall plugins would each duplicate (and persist elsewhere) state we
 * own; driving `ip`/`iptables` ourselves keeps one source of truth and makes every step
 * observable in the recording fake.
 *
 * A network is a Linux bridge holding the gateway address, plus rules in our own chains
 * (`<prefix>-FORWARD`, `-INPUT`, `-POSTROUTING`, `-DNAT`) tagged `berth:<bridge>`.
 * An endpoint is a veth pair — host side on the bridge (hairpin on), peer moved into the
 * container's namespace as `eth<N>` with a docker-style MAC and address — plus DNAT rules for
 * its published ports. Ports answer on 127.0.0.1 because the bridge has `route_localnet=1`
 * and host-originated traffic to the bridge is masqueraded (no userland proxy process).
 */
export function createBridgeDriver(options: BridgeDriverOptions): NetworkDriver {
  const hostNet = options.hostNet;
  const chains: BridgeChains = bridgeChains(options.chainPrefix ?? 'BERTH');
  const networks = new Map<string, BridgeNetwork>();
  const queue = new SerialQueue();

  function networkOf(networkId: string): BridgeNetwork {
    const network = networks.get(networkId);
    if (!network) throw new NotFoundError(`network ${networkId} not found in bridge driver`);
    return network;
  }

  async function addRules(rules: ReturnType<typeof networkRules>): Promise<void> {
    for (const { table, chain, rule, first } of rules) {
      if (await hostNet.ruleExists(table, chain, rule)) continue;
      if (first) await hostNet.insertRule(table, chain, rule, 1);
      else await hostNet.appendRule(table, chain, rule);
    }
  }

  return {
    type: 'bridge',
    capabilities: { ipam: true, portPublishing: true, gatewayDns: true, multipleNetworks: true },

    createNetwork: (spec) =>
      queue.run(async () => {
        if (networks.has(spec.id)) throw new AlreadyExistsError(`network ${spec.id} already exists in bridge driver`);
        if (!spec.ipv4) throw new InvalidArgumentError(`bridge network ${spec.name} needs an IPv4 subnet`);
        const bridge = bridgeNameOf(spec);
        if ([...networks.values()].some((other) => other.bridge === bridge)) {
          throw new ConflictError(`bridge ${bridge} is already used by another network`);
        }
        const mtu = spec.options[BRIDGE_OPTIONS.mtu] ? Number(spec.options[BRIDGE_OPTIONS.mtu]) : undefined;
        if (mtu !== undefined && !(Number.isInteger(mtu) && mtu >= 68 && mtu <= 65535)) {
          throw new InvalidArgumentError(`invalid MTU ${spec.options[BRIDGE_OPTIONS.mtu]} for network ${spec.name}`);
        }
        const adopted = await hostNet.linkExists(bridge);
        try {
          if (!adopted) {
            await hostNet.addBridge(bridge, mtu ? { mtu } : {});
            await hostNet.addAddress(bridge, `${spec.ipv4.gateway}/${prefixOf(spec.ipv4.subnet)}`);
            if (spec.ipv6) await hostNet.addAddress(bridge, `${spec.ipv6.gateway}/${prefixOf(spec.ipv6.subnet)}`);
            await hostNet.setLinkUp(bridge);
          }
          await hostNet.writeSysctl(`net.ipv4.conf.${bridge}.route_localnet`, '1');
          if ((options.enableIpForward ?? true) && (await hostNet.readSysctl('net.ipv4.ip_forward')) !== '1') {
            await hostNet.writeSysctl('net.ipv4.ip_forward', '1');
          }
          await installChains(hostNet, chains);
          await addRules(
            networkRules(
              {
                bridge,
                subnet: spec.ipv4.subnet,
                internal: spec.internal,
                icc: spec.options[BRIDGE_OPTIONS.enableIcc] !== 'false',
                masquerade: spec.options[BRIDGE_OPTIONS.enableIpMasquerade] !== 'false',
              },
              chains,
            ),
          );
        } catch (error) {
          await deleteTaggedRules(hostNet, chains, ruleTag(bridge), true).catch(() => undefined);
          if (!adopted) await hostNet.deleteLink(bridge).catch(() => undefined);
          await removeChainsIfEmpty(hostNet, chains).catch(() => undefined);
          throw error;
        }
        networks.set(spec.id, { spec, bridge, endpoints: new Map() });
      }),

    removeNetwork: (networkId) =>
      queue.run(async () => {
        const network = networkOf(networkId);
        if (network.endpoints.size > 0) {
          throw new ConflictError(`network ${network.spec.name} has ${network.endpoints.size} active endpoint(s)`);
        }
        await deleteTaggedRules(hostNet, chains, ruleTag(network.bridge), true);
        if (await hostNet.linkExists(network.bridge)) await hostNet.deleteLink(network.bridge);
        networks.delete(networkId);
        await removeChainsIfEmpty(hostNet, chains);
      }),

    connectEndpoint: (spec: DriverEndpointSpec) =>
      queue.run(async (): Promise<DriverEndpointInfo> => {
        const network = networkOf(spec.networkId);
        if (network.endpoints.has(spec.endpointId)) throw new AlreadyExistsError(`endpoint ${spec.endpointId} already exists`);
        if (!spec.ipv4Address) throw new InvalidArgumentError(`endpoint ${spec.endpointId} on bridge network needs an IPv4 address`);
        const hostVeth = hostVethName(spec.endpointId);
        const peer = `vpeer${spec.endpointId.slice(0, 7)}`;
        const mac = spec.macAddress ?? macAddressForIpv4(spec.ipv4Address);
        const mtuOption = network.spec.options[BRIDGE_OPTIONS.mtu];
        const ns = spec.netnsPath;
        try {
          await hostNet.addVethPair(hostVeth, peer, mtuOption ? { mtu: Number(mtuOption) } : {});
          await hostNet.setLinkMaster(hostVeth, network.bridge);
          await hostNet.setHairpin(hostVeth, true);
          await hostNet.setLinkUp(hostVeth);
          await hostNet.moveLinkToNetns(peer, ns);
          await hostNet.renameLink(peer, spec.interfaceName, ns);
          await hostNet.setLinkMac(spec.interfaceName, mac, ns);
          await hostNet.addAddress(spec.interfaceName, spec.ipv4Address, ns);
          if (spec.ipv6Address) await hostNet.addAddress(spec.interfaceName, spec.ipv6Address, ns);
          await hostNet.setLinkUp(spec.interfaceName, ns);
          if (spec.defaultRoute && network.spec.ipv4) {
            await hostNet.addDefaultRoute(network.spec.ipv4.gateway, spec.interfaceName, ns);
            if (spec.ipv6Address && network.spec.ipv6) await hostNet.addDefaultRoute(network.spec.ipv6.gateway, spec.interfaceName, ns);
          }
          const address = spec.ipv4Address.replace(/\/\d+$/, '');
          await addRules(portRules(network.bridge, spec.endpointId, address, spec.ports, chains));
        } catch (error) {
          await deleteTaggedRules(hostNet, chains, ruleTag(network.bridge, spec.endpointId), false).catch(() => undefined);
          if (await hostNet.linkExists(hostVeth).catch(() => false)) await hostNet.deleteLink(hostVeth).catch(() => undefined);
          if (await hostNet.linkExists(peer).catch(() => false)) await hostNet.deleteLink(peer).catch(() => undefined);
          throw error;
        }
        network.endpoints.set(spec.endpointId, { hostVeth, netnsPath: ns });
        return { interfaceName: spec.interfaceName, macAddress: mac, hostInterface: hostVeth };
      }),

    disconnectEndpoint: (networkId, endpointId) =>
      queue.run(async () => {
        const network = networkOf(networkId);
        // Names and tags derive from the endpoint id, so this also cleans up after a restart.
        const hostVeth = network.endpoints.get(endpointId)?.hostVeth ?? hostVethName(endpointId);
        await deleteTaggedRules(hostNet, chains, ruleTag(network.bridge, endpointId), false);
        // Deleting the host side removes the peer inside the container too; it is already gone when the namespace was.
        if (await hostNet.linkExists(hostVeth)) await hostNet.deleteLink(hostVeth);
        network.endpoints.delete(endpointId);
      }),

    close: async () => {
      networks.clear();
    },
  };
}
