import type { IpFamily } from '../ipam/ip-address.js';

/** An iptables table. */
export type IptablesTable = 'filter' | 'nat' | 'mangle' | 'raw';

/**
 * The operating-system boundary of the network package: namespaces, links, addresses, routes,
 * sysctls and iptables rules. Everything Berth does to the host's networking goes through it,
 * so drivers are testable against the recording fake (`RecordingHostNet` in
 * `@berth/network/testing`) on any machine; {@link createLinuxHostNet} is the real one
 * (`ip`, `iptables`, `nsenter`, `unshare`).
 *
 * Every method taking `netns` operates inside the namespace whose file is at that path, else
 * in the host namespace. Missing objects on delete → `NotFound`.
 */
export interface HostNet {
  /** Creates a network namespace kept alive by a bind mount at `path` (a file; parents created). */
  createNetns(path: string): Promise<void>;
  /** Unmounts and removes the namespace file; the kernel destroys the namespace and its links. */
  deleteNetns(path: string): Promise<void>;
  netnsExists(path: string): Promise<boolean>;

  /** `ip link add NAME type bridge` (with MTU); the bridge stays down until {@link setLinkUp}. */
  addBridge(name: string, options?: { mtu?: number }): Promise<void>;
  /** A veth pair in the host namespace. */
  addVethPair(name: string, peer: string, options?: { mtu?: number }): Promise<void>;
  deleteLink(name: string, netns?: string): Promise<void>;
  linkExists(name: string, netns?: string): Promise<boolean>;
  /** Moves a host link into the namespace at `netnsPath`. */
  moveLinkToNetns(name: string, netnsPath: string): Promise<void>;
  renameLink(name: string, newName: string, netns?: string): Promise<void>;
  setLinkUp(name: string, netns?: string): Promise<void>;
  /**
   * Sets a link's MAC address. On a bridge this also pins it: a bridge whose address was never
   * set takes the lowest MAC of its ports and changes it as ports come and go.
   */
  setLinkMac(name: string, mac: string, netns?: string): Promise<void>;
  /** A link's current MAC address (`aa:bb:cc:dd:ee:ff`). */
  linkMac(name: string, netns?: string): Promise<string>;
  /** Enslaves a host link to a bridge. */
  setLinkMaster(name: string, bridge: string): Promise<void>;
  /** Hairpin mode on a bridge port: frames may leave through the port they came in on. */
  setHairpin(name: string, on: boolean): Promise<void>;
  /**
   * Adds `cidr` (e.g. `172.18.0.1/16`, `fd00:1::1/64`) to a link. IPv6 addresses skip duplicate
   * address detection (`nodad`), as dockerd's bridges do: the address comes from Berth's IPAM,
   * and a tentative one could not be used (nor answer neighbour solicitations) for a second or more.
   */
  addAddress(name: string, cidr: string, netns?: string): Promise<void>;
  /** `ip route add default via GATEWAY dev IFACE`. */
  addDefaultRoute(gateway: string, device: string, netns?: string): Promise<void>;
  /**
   * `ip route replace local ADDRESS dev lo table local src SOURCE`: ADDRESS (one IPv4 address)
   * is local, and a socket talking to it gets SOURCE (an address of the namespace) as its own
   * address instead of a loopback one — so traffic to ADDRESS that a nat rule sends elsewhere
   * may leave the namespace. The kernel drops the route when SOURCE leaves the namespace.
   */
  replaceLocalRoute(address: string, source: string, netns?: string): Promise<void>;
  /** Destinations (CIDR) of the host namespace's IPv4 and IPv6 routes, without `default`. */
  listRoutes(): Promise<string[]>;

  /** Reads `/proc/sys/<key with dots as slashes>` of the host namespace. */
  readSysctl(key: string): Promise<string>;
  writeSysctl(key: string, value: string): Promise<void>;

  // The iptables calls take an optional trailing `family`: absent or 4 is `iptables`, 6 is
  // `ip6tables`. The kernel keeps the two rule sets apart: a chain of one family is unknown to
  // the other, even under the same name.

  /** Creates an iptables chain if it does not exist. */
  ensureChain(table: IptablesTable, chain: string, family?: IpFamily): Promise<void>;
  /** Flushes and deletes a chain (no-op when absent). */
  deleteChain(table: IptablesTable, chain: string, family?: IpFamily): Promise<void>;
  /** Rules of a chain, each as its argument list after `-A CHAIN`. */
  listRules(table: IptablesTable, chain: string, family?: IpFamily): Promise<string[][]>;
  ruleExists(table: IptablesTable, chain: string, rule: readonly string[], family?: IpFamily): Promise<boolean>;
  /** Inserts at `position` (1 = first). */
  insertRule(table: IptablesTable, chain: string, rule: readonly string[], position?: number, family?: IpFamily): Promise<void>;
  appendRule(table: IptablesTable, chain: string, rule: readonly string[], family?: IpFamily): Promise<void>;
  deleteRule(table: IptablesTable, chain: string, rule: readonly string[], family?: IpFamily): Promise<void>;
  /**
   * Applies `rules` (iptables-save text: `*table`, `:CHAIN - [0:0]`, `-A CHAIN …`, `COMMIT`)
   * with one `iptables-restore --noflush`: all or nothing; a declared user chain is created
   * or flushed, other chains keep their rules. One process however many rules — the cheap
   * way to set up a container's namespace. `family` 6 → `ip6tables-restore`.
   */
  restoreIptables(rules: string, netns?: string, family?: IpFamily): Promise<void>;
}
