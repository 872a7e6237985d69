import { statfs } from 'node:fs/promises';
import { AlreadyExistsError, ConflictError, FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import { CNI_VERSION, type CniPlugins } from '../cni/cni-plugins.js';
import type { CniResult } from '../cni/cni-result.js';
import { createExecCniPlugins } from '../cni/exec-cni-plugins.js';
import { type FamilyIptables, iptablesOf } from '../hostnet/family-iptables.js';
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
  type FirewallRule,
} from './bridge-firewall.js';
import {
  type BridgeAttachment,
  type BridgeAttachmentStore,
  createFileBridgeAttachmentStore,
  createMemoryBridgeAttachmentStore,
} from './bridge-attachments.js';
import { bridgeCniConfig } from './bridge-cni-config.js';
import { macAddressForIpv4 } from './mac-address.js';

/** Options of {@link createBridgeDriver}. */
export interface BridgeDriverOptions {
  hostNet: HostNet;
  /** Prefix of our iptables chains (`BERTH` → `BERTH-FORWARD`, …); tests pass a unique one. */
  chainPrefix?: string;
  /**
   * Turn on `net.ipv4.ip_forward` when it is off (containers cannot reach out otherwise), and
   * `net.ipv6.conf.all.forwarding` once a network has an IPv6 subnet. Never turned back off
   * (other engines may rely on it, as with dockerd). Default true.
   */
  enableIpForward?: boolean;
  /** Runs the CNI `bridge` plugin that attaches endpoints; default the real plugins ({@link createExecCniPlugins}). */
  cni?: CniPlugins;
  /**
   * Directory caching each endpoint's CNI configuration and result (what DEL needs), so an
   * endpoint made before a restart is detached properly. Without it the cache is in memory.
   */
  attachmentCacheDir?: string;
}

interface BridgeNetwork {
  spec: DriverNetworkSpec;
  bridge: string;
  endpoints: Map<string, BridgeAttachment>;
}

/** The Linux bridge of a network: the `com.docker.network.bridge.name` option or `br-<id12>`. */
export function bridgeNameOf(spec: Pick<DriverNetworkSpec, 'id' | 'options'>): string {
  const name = spec.options[BRIDGE_OPTIONS.bridgeName] ?? `br-${spec.id.slice(0, 12)}`;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new InvalidArgumentError(`invalid bridge name ${JSON.stringify(name)}: 1–15 characters of [A-Za-z0-9_.-]`);
  return name;
}

/**
 * Host side of an endpoint's veth pair as Berth named it before endpoints went through CNI
 * (`veth` + 7 hex); the CNI `bridge` plugin picks its own name (reported in the endpoint's
 * `hostInterface`). Kept to clean up endpoints an older Berth made.
 */
export function hostVethName(endpointId: string): string {
  return `veth${endpointId.slice(0, 7)}`;
}

function prefixOf(cidr: string): string {
  return cidr.split('/')[1] ?? '';
}

/** `NSFS_MAGIC`: what statfs reports for a namespace file (a bind mount or `/proc/<pid>/ns/net`). */
const NSFS_MAGIC = 0x6e736673;

/** Whether `path` is a live network namespace file, as the CNI plugins will check before entering it. */
async function isNamespaceFile(path: string): Promise<boolean> {
  return statfs(path).then(
    (stats) => stats.type === NSFS_MAGIC,
    () => false,
  );
}

/** The host side of the veth pair in a `bridge` plugin result: not in a sandbox, not the bridge. */
function hostInterfaceOf(result: CniResult, bridge: string): string | undefined {
  return result.interfaces?.find((iface) => !iface.sandbox && iface.name !== bridge)?.name;
}

/** The container interface's MAC in a `bridge` plugin result. */
function containerMacOf(result: CniResult, interfaceName: string): string | undefined {
  return result.interfaces?.find((iface) => iface.sandbox && iface.name === interfaceName)?.mac;
}

/**
 * The `bridge` driver. Endpoints are attached by the CNI `bridge` plugin (executed per the CNI
 * spec through {@link CniPlugins}) with `static` IPAM fed from Berth's IPAM; the rest is done
 * directly through {@link HostNet}.
 *
 * A network is a Linux bridge holding the gateway address, plus rules in our own chains
 * (`<prefix>-FORWARD`, `-INPUT`, `-POSTROUTING`, `-DNAT`) tagged `berth:<bridge>` — Berth's,
 * not the plugin's (`isGateway`/`ipMasq` off), because docker's model (ICC, internal networks,
 * isolation between bridges, ports on 127.0.0.1 through `route_localnet`) is more than the
 * bridge/portmap/firewall plugins express, and the bridge outlives every endpoint.
 * An endpoint is a CNI ADD: a veth pair — host side on the bridge (hairpin on), the other side
 * `eth<N>` in the container's namespace with Berth's MAC (the `mac` capability), addresses and
 * default routes — plus DNAT rules for its published ports. Its configuration and result are
 * cached (in `attachmentCacheDir` when given) so the DEL that detaches it is sent the same, after a
 * restart too; DEL is idempotent and works once the namespace is gone. Ports answer on
 * 127.0.0.1 because the bridge has `route_localnet=1` and host-originated traffic to the bridge
 * is masqueraded (no userland proxy process).
 *
 * A network with an IPv6 subnet gets the same rules in `ip6tables` (as dockerd ≥ 27 does):
 * ICC, isolation, internal, masquerade out (NAT66) and ports published on all addresses or an
 * IPv6 host address DNATed to the endpoint's IPv6 address. The IPv6 chains exist only while
 * such a network does. `[::1]` bindings get no rules: the kernel never routes a loopback
 * address off `lo`, so only a userland proxy could serve them.
 */
export function createBridgeDriver(options: BridgeDriverOptions): NetworkDriver {
  const hostNet = options.hostNet;
  const chains: BridgeChains = bridgeChains(options.chainPrefix ?? 'BERTH');
  const networks = new Map<string, BridgeNetwork>();
  const queue = new SerialQueue();
  const cni = options.cni ?? createExecCniPlugins();
  const attachments: BridgeAttachmentStore = options.attachmentCacheDir
    ? createFileBridgeAttachmentStore(options.attachmentCacheDir)
    : createMemoryBridgeAttachmentStore();
  const ipv4 = iptablesOf(hostNet, 4);
  const ipv6 = iptablesOf(hostNet, 6);
  let versionChecked = false;

  /** The rule sets a network's rules live in: IPv4 always, IPv6 when it has an IPv6 subnet. */
  function familiesOf(spec: DriverNetworkSpec): FamilyIptables[] {
    return spec.ipv6 ? [ipv4, ipv6] : [ipv4];
  }

  /** Once per driver: the installed `bridge` plugin must speak the CNI version we write. */
  async function checkPluginVersion(): Promise<void> {
    if (versionChecked) return;
    const info = await cni.version('bridge');
    if (!info.supportedVersions.includes(CNI_VERSION)) {
      throw new FailedPreconditionError(`the CNI bridge plugin does not support CNI ${CNI_VERSION} (it supports ${info.supportedVersions.join(', ')})`);
    }
    versionChecked = true;
  }

  /** CNI DEL of a cached attachment; the namespace may be gone already (the container died). */
  async function detach(attachment: BridgeAttachment): Promise<void> {
    // A namespace file no longer mounted would fail the DEL; an empty CNI_NETNS means "gone".
    const netnsAlive = (await hostNet.netnsExists(attachment.netnsPath)) || (await isNamespaceFile(attachment.netnsPath));
    await cni.del(
      attachment.config,
      { containerId: attachment.containerId, netns: netnsAlive ? attachment.netnsPath : '', ifName: attachment.interfaceName },
      attachment.result,
    );
    // Deleting the container side removed the pair; a host side still there would be a leak.
    if (attachment.hostInterface && (await hostNet.linkExists(attachment.hostInterface))) await hostNet.deleteLink(attachment.hostInterface);
  }

  function networkOf(networkId: string): BridgeNetwork {
    const network = networks.get(networkId);
    if (!network) throw new NotFoundError(`network ${networkId} not found in bridge driver`);
    return network;
  }

  async function addRules(iptables: FamilyIptables, rules: readonly FirewallRule[]): Promise<void> {
    for (const { table, chain, rule, first } of rules) {
      if (await iptables.ruleExists(table, chain, rule)) continue;
      if (first) await iptables.insertRule(table, chain, rule, 1);
      else await iptables.appendRule(table, chain, rule);
    }
  }

  /** Deletes the rules tagged for a network (with its endpoints) or one endpoint, in every family the network uses. */
  async function deleteRulesOf(spec: DriverNetworkSpec, tag: string, withEndpoints: boolean): Promise<void> {
    for (const iptables of familiesOf(spec)) await deleteTaggedRules(iptables, chains, tag, withEndpoints);
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
        const forward = options.enableIpForward ?? true;
        try {
          if (!adopted) await hostNet.addBridge(bridge, mtu ? { mtu } : {});
          // A host booted with IPv6 off for new links (`default.disable_ipv6=1`) would refuse
          // the gateway address; dockerd turns IPv6 on for the bridges that need it too.
          if (spec.ipv6) {
            const key = `net.ipv6.conf.${bridge}.disable_ipv6`;
            const disabled = await hostNet.readSysctl(key).catch((error: Error) => {
              throw new FailedPreconditionError(`network ${spec.name} has an IPv6 subnet but this host has no IPv6 (${key}: ${error.message})`);
            });
            if (disabled !== '0') await hostNet.writeSysctl(key, '0');
          }
          // Pinned, as dockerd pins it: a bridge whose MAC was never set takes the lowest MAC of
          // its ports and changes it as ports come and go — and then the containers' neighbour
          // entries for the gateway point at a MAC the bridge no longer answers to, so their
          // DNS and everything routed through the gateway stalls until the entries expire. A
          // new bridge gets one derived from its gateway address; an adopted one keeps its own
          // (set to itself: pinned without a change its containers would notice).
          await hostNet.setLinkMac(bridge, adopted ? await hostNet.linkMac(bridge) : macAddressForIpv4(spec.ipv4.gateway));
          if (!adopted) {
            await hostNet.addAddress(bridge, `${spec.ipv4.gateway}/${prefixOf(spec.ipv4.subnet)}`);
            if (spec.ipv6) await hostNet.addAddress(bridge, `${spec.ipv6.gateway}/${prefixOf(spec.ipv6.subnet)}`);
            await hostNet.setLinkUp(bridge);
          }
          await hostNet.writeSysctl(`net.ipv4.conf.${bridge}.route_localnet`, '1');
          if (forward && (await hostNet.readSysctl('net.ipv4.ip_forward')) !== '1') {
            await hostNet.writeSysctl('net.ipv4.ip_forward', '1');
          }
          if (forward && spec.ipv6 && (await hostNet.readSysctl('net.ipv6.conf.all.forwarding')) !== '1') {
            await hostNet.writeSysctl('net.ipv6.conf.all.forwarding', '1');
          }
          const kind = {
            bridge,
            internal: spec.internal,
            icc: spec.options[BRIDGE_OPTIONS.enableIcc] !== 'false',
            masquerade: spec.options[BRIDGE_OPTIONS.enableIpMasquerade] !== 'false',
          };
          await installChains(ipv4, chains);
          await addRules(ipv4, networkRules({ ...kind, subnet: spec.ipv4.subnet }, chains));
          if (spec.ipv6) {
            await installChains(ipv6, chains);
            await addRules(ipv6, networkRules({ ...kind, subnet: spec.ipv6.subnet, family: 6 }, chains));
          }
        } catch (error) {
          // An adopted bridge (a restarted engine's) carries its running containers' rules and
          // links: left as found — this call only added what was missing. A new one is undone.
          if (!adopted) {
            await deleteRulesOf(spec, ruleTag(bridge), true).catch(() => undefined);
            await hostNet.deleteLink(bridge).catch(() => undefined);
            for (const iptables of familiesOf(spec)) await removeChainsIfEmpty(iptables, chains).catch(() => undefined);
          }
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
        await deleteRulesOf(network.spec, ruleTag(network.bridge), true);
        if (await hostNet.linkExists(network.bridge)) await hostNet.deleteLink(network.bridge);
        networks.delete(networkId);
        for (const iptables of familiesOf(network.spec)) await removeChainsIfEmpty(iptables, chains);
      }),

    connectEndpoint: (spec: DriverEndpointSpec) =>
      queue.run(async (): Promise<DriverEndpointInfo> => {
        const network = networkOf(spec.networkId);
        if (network.endpoints.has(spec.endpointId)) throw new AlreadyExistsError(`endpoint ${spec.endpointId} already exists`);
        if (!spec.ipv4Address || !network.spec.ipv4) throw new InvalidArgumentError(`endpoint ${spec.endpointId} on bridge network needs an IPv4 address`);
        await checkPluginVersion();
        const mac = spec.macAddress ?? macAddressForIpv4(spec.ipv4Address);
        const mtuOption = network.spec.options[BRIDGE_OPTIONS.mtu];
        const config = bridgeCniConfig({
          networkName: network.spec.name,
          bridge: network.bridge,
          macAddress: mac,
          ipv4: { address: spec.ipv4Address, gateway: network.spec.ipv4.gateway },
          ...(spec.ipv6Address && network.spec.ipv6 ? { ipv6: { address: spec.ipv6Address, gateway: network.spec.ipv6.gateway } } : {}),
          defaultRoute: spec.defaultRoute,
          ...(mtuOption ? { mtu: Number(mtuOption) } : {}),
        });
        const cniAttachment = { containerId: spec.containerId, netns: spec.netnsPath, ifName: spec.interfaceName };
        let result: CniResult | undefined;
        try {
          result = await cni.add(config, cniAttachment);
          const hostInterface = hostInterfaceOf(result, network.bridge);
          const attachment: BridgeAttachment = {
            version: 1,
            endpointId: spec.endpointId,
            networkId: spec.networkId,
            containerId: spec.containerId,
            netnsPath: spec.netnsPath,
            interfaceName: spec.interfaceName,
            ...(hostInterface ? { hostInterface } : {}),
            config,
            result,
          };
          await attachments.save(attachment);
          const address = spec.ipv4Address.replace(/\/\d+$/, '');
          await addRules(ipv4, portRules(network.bridge, spec.endpointId, address, spec.ports, chains));
          if (spec.ipv6Address && network.spec.ipv6) {
            const address6 = spec.ipv6Address.replace(/\/\d+$/, '');
            await addRules(ipv6, portRules(network.bridge, spec.endpointId, address6, spec.ports, chains, 6));
          }
          network.endpoints.set(spec.endpointId, attachment);
          return {
            interfaceName: spec.interfaceName,
            macAddress: containerMacOf(result, spec.interfaceName) ?? mac,
            ...(hostInterface ? { hostInterface } : {}),
          };
        } catch (error) {
          await deleteRulesOf(network.spec, ruleTag(network.bridge, spec.endpointId), false).catch(() => undefined);
          // The spec's rule: a failed ADD is followed by a DEL, which undoes whatever the plugin got done.
          await cni.del(config, cniAttachment, result).catch(() => undefined);
          await attachments.remove(spec.endpointId).catch(() => undefined);
          throw error;
        }
      }),

    disconnectEndpoint: (networkId, endpointId) =>
      queue.run(async () => {
        const network = networkOf(networkId);
        await deleteRulesOf(network.spec, ruleTag(network.bridge, endpointId), false);
        // Made before a restart: the cached attachment says what to DEL.
        const cached = network.endpoints.get(endpointId) ?? (await attachments.load(endpointId));
        const attachment = cached?.networkId === networkId ? cached : undefined;
        if (attachment) {
          await detach(attachment);
          await attachments.remove(endpointId);
        } else {
          // Nothing cached (made by a Berth before CNI, or never made): its veth had a derived name.
          const legacyVeth = hostVethName(endpointId);
          if (await hostNet.linkExists(legacyVeth)) await hostNet.deleteLink(legacyVeth);
        }
        network.endpoints.delete(endpointId);
      }),

    close: async () => {
      networks.clear();
    },
  };
}
