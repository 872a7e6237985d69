import type { FamilyIptables } from '../hostnet/family-iptables.js';
import type { IptablesTable } from '../hostnet/host-net.js';
import { type IpFamily, tryParseIp } from '../ipam/ip-address.js';
import type { PortBinding } from '../network.js';

/**
 * Names of the chains one bridge driver owns (prefix `BERTH` in production, unique in tests).
 * The same names serve `iptables` and, while a network with an IPv6 subnet exists, `ip6tables`.
 */
export interface BridgeChains {
  /** filter: jumps to `ports` then `isolation`, then per-network ICC and egress accepts. */
  forward: string;
  /** filter: drops traffic out of internal bridges, then accepts traffic into a bridge that belongs to a connection or a published port. */
  ports: string;
  /** filter: drops every other new connection into a bridge (cross-network, from outside). */
  isolation: string;
  input: string;
  postrouting: string;
  dnat: string;
}

/** Chain names for a prefix. */
export function bridgeChains(prefix: string): BridgeChains {
  return { forward: `${prefix}-FORWARD`, ports: `${prefix}-PORTS`, isolation: `${prefix}-ISOLATION`, input: `${prefix}-INPUT`, postrouting: `${prefix}-POSTROUTING`, dnat: `${prefix}-DNAT` };
}

/**
 * Where each of our chains is jumped to from a built-in chain. IPv6 keeps `::1` out of the
 * host's DNAT (as dockerd does): the kernel never routes a loopback address off `lo`, so a
 * connection to `[::1]:PORT` DNATed to a container would hang instead of being refused.
 */
function jumps(chains: BridgeChains, family: IpFamily): Array<{ table: IptablesTable; from: string; rule: string[] }> {
  const local = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
  return [
    { table: 'filter', from: 'FORWARD', rule: ['-j', chains.forward] },
    { table: 'filter', from: 'INPUT', rule: ['-j', chains.input] },
    { table: 'nat', from: 'POSTROUTING', rule: ['-j', chains.postrouting] },
    { table: 'nat', from: 'PREROUTING', rule: [...local, '-j', chains.dnat] },
    { table: 'nat', from: 'OUTPUT', rule: [...(family === 6 ? ['!', '-d', '::1/128'] : []), ...local, '-j', chains.dnat] },
  ];
}

/** Sub-chains, in the order `forward` jumps to them before its own rules. */
function subChainJumps(chains: BridgeChains): string[][] {
  return [
    ['-j', chains.ports],
    ['-j', chains.isolation],
  ];
}

const CHAIN_TABLES: Array<[IptablesTable, keyof BridgeChains]> = [
  ['filter', 'ports'],
  ['filter', 'isolation'],
  ['filter', 'forward'],
  ['filter', 'input'],
  ['nat', 'postrouting'],
  ['nat', 'dnat'],
];

/** The comment that tags every rule of one network (`berth:<bridge>`) or endpoint (`berth:<bridge>:<id>`). */
export function ruleTag(bridge: string, endpointId?: string): string {
  return endpointId ? `berth:${bridge}:${endpointId.slice(0, 12)}` : `berth:${bridge}`;
}

function tagged(rule: string[], tag: string): string[] {
  return [...rule, '-m', 'comment', '--comment', tag];
}

function commentOf(rule: readonly string[]): string | undefined {
  const at = rule.indexOf('--comment');
  return at >= 0 ? rule[at + 1] : undefined;
}

/**
 * Installs our chains and the jumps to them (first in each built-in chain, so the host's own
 * policy — FORWARD DROP after a dockerd ran — never decides for our traffic) in the rule set
 * of `iptables`' family. Idempotent.
 */
export async function installChains(iptables: FamilyIptables, chains: BridgeChains): Promise<void> {
  for (const [table, key] of CHAIN_TABLES) await iptables.ensureChain(table, chains[key]);
  for (const [index, rule] of subChainJumps(chains).entries()) {
    if (!(await iptables.ruleExists('filter', chains.forward, rule))) await iptables.insertRule('filter', chains.forward, rule, index + 1);
  }
  for (const jump of jumps(chains, iptables.family)) {
    if (!(await iptables.ruleExists(jump.table, jump.from, jump.rule))) await iptables.insertRule(jump.table, jump.from, jump.rule, 1);
  }
}

/** Removes the jumps and chains once no rule is left in any of them. Returns whether it did. */
export async function removeChainsIfEmpty(iptables: FamilyIptables, chains: BridgeChains): Promise<boolean> {
  const fixed = new Set(subChainJumps(chains).map((rule) => rule.join(' ')));
  for (const [table, key] of CHAIN_TABLES) {
    const rules = await iptables.listRules(table, chains[key]).catch(() => []);
    if (rules.some((rule) => !(key === 'forward' && fixed.has(rule.join(' '))))) return false;
  }
  for (const jump of jumps(chains, iptables.family)) {
    while (await iptables.ruleExists(jump.table, jump.from, jump.rule)) await iptables.deleteRule(jump.table, jump.from, jump.rule);
  }
  await iptables.deleteChain('filter', chains.forward);
  for (const [table, key] of CHAIN_TABLES) if (key !== 'forward') await iptables.deleteChain(table, chains[key]);
  return true;
}

/** What the network-level rules depend on. */
export interface BridgeNetworkRules {
  bridge: string;
  /** The network's subnet of the rules' family. */
  subnet: string;
  internal: boolean;
  icc: boolean;
  masquerade: boolean;
  /** Rule set the rules are for: 4 (default, `iptables`) or 6 (`ip6tables`). */
  family?: IpFamily;
}

/** One rule of ours: its table and chain, and `first` when it must be inserted rather than appended. */
export interface FirewallRule {
  table: IptablesTable;
  chain: string;
  rule: string[];
  first?: boolean;
}

/**
 * The rules of one bridge network: replies back in (ports chain); every other new connection
 * into the bridge dropped (isolation chain — other networks, other hosts; published ports are
 * accepted before it) and, for internal networks, everything out of it (first in the ports
 * chain, marked `first`: to be inserted, not appended); container-to-container
 * on the bridge (ICC); out to the world with masquerade unless internal; DNS to the gateway;
 * masquerade of host-originated traffic (so DNAT from 127.0.0.1 works with route_localnet)
 * and of DNATed bridge-to-bridge flows (hairpin, container → host port → container).
 * IPv6 gets the same rules (dockerd ≥ 27 NATs IPv6 bridge networks too) but the one for
 * host-originated traffic: `::1` cannot be DNATed at all, and a host address needs no masquerade.
 */
export function networkRules(spec: BridgeNetworkRules, chains: BridgeChains): FirewallRule[] {
  const br = spec.bridge;
  const tag = ruleTag(br);
  const filter = (chain: string, rule: string[]) => ({ table: 'filter' as const, chain, rule: tagged(rule, tag) });
  const nat = (rule: string[]) => ({ table: 'nat' as const, chain: chains.postrouting, rule: tagged(rule, tag) });
  const rules: FirewallRule[] = [
    filter(chains.ports, ['-o', br, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']),
    filter(chains.isolation, ['!', '-i', br, '-o', br, '-j', 'DROP']),
    filter(chains.forward, ['-i', br, '-o', br, '-j', spec.icc ? 'ACCEPT' : 'DROP']),
    filter(chains.input, ['-i', br, '-p', 'udp', '-m', 'udp', '--dport', '53', '-j', 'ACCEPT']),
    filter(chains.input, ['-i', br, '-p', 'tcp', '-m', 'tcp', '--dport', '53', '-j', 'ACCEPT']),
    ...((spec.family ?? 4) === 4 ? [nat(['-o', br, '-m', 'addrtype', '--src-type', 'LOCAL', '-j', 'MASQUERADE'])] : []),
    nat(['-s', spec.subnet, '-o', br, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'MASQUERADE']),
  ];
  if (spec.internal) {
    // First in the ports chain: a published port of another network is DNATed there and
    // accepted by the ports chain before isolation is consulted, which would let the
    // internal network out through any host address.
    rules.push({ ...filter(chains.ports, ['-i', br, '!', '-o', br, '-j', 'DROP']), first: true });
  } else {
    rules.push(filter(chains.forward, ['-i', br, '!', '-o', br, '-j', 'ACCEPT']));
    if (spec.masquerade) rules.push(nat(['-s', spec.subnet, '!', '-o', br, '-j', 'MASQUERADE']));
  }
  return rules;
}

/**
 * Whether a binding is published in `family`'s rule set, as dockerd decides: IPv4 takes every
 * binding without an IPv6 host address (`0.0.0.0` is IPv4 only); IPv6 takes `::`, IPv6 host
 * addresses and an unset host address — a port published without one gets a `0.0.0.0` and a
 * `::` binding from the controller on a network with IPv6 — but never `::1`: the kernel does
 * not route loopback addresses off `lo`, so only a userland proxy (which Berth does not run)
 * could serve it.
 */
export function publishedIn(port: Pick<PortBinding, 'hostIp'>, family: IpFamily): boolean {
  if (family === 4) return !port.hostIp.includes(':');
  if (port.hostIp === '' || port.hostIp === '::') return true;
  const ip = tryParseIp(port.hostIp);
  return ip?.family === 6 && ip.value !== 1n;
}

/**
 * DNAT and forward-accept rules publishing an endpoint's ports in `family`'s rule set, to
 * `address` (the endpoint's address of that family, without prefix). IPv6 DNAT leaves
 * link-local sources alone, as dockerd does (they cannot be forwarded to another link).
 */
export function portRules(
  bridge: string,
  endpointId: string,
  address: string,
  ports: readonly PortBinding[],
  chains: BridgeChains,
  family: IpFamily = 4,
): FirewallRule[] {
  const tag = ruleTag(bridge, endpointId);
  const hostBits = family === 6 ? 128 : 32;
  const target = family === 6 ? `[${address}]` : address;
  return ports
    .filter((port) => publishedIn(port, family))
    .flatMap((port) => {
      const everywhere = ['', '0.0.0.0', '::'].includes(port.hostIp);
      const destination = everywhere ? [] : ['-d', `${port.hostIp}/${hostBits}`];
      const notLinkLocal = family === 6 ? ['!', '-s', 'fe80::/10'] : [];
      return [
        {
          table: 'nat' as const,
          chain: chains.dnat,
          rule: tagged([...notLinkLocal, ...destination, '-p', port.protocol, '-m', port.protocol, '--dport', String(port.hostPort), '-j', 'DNAT', '--to-destination', `${target}:${port.containerPort}`], tag),
        },
        {
          table: 'filter' as const,
          chain: chains.ports,
          rule: tagged(['-d', `${address}/${hostBits}`, '!', '-i', bridge, '-o', bridge, '-p', port.protocol, '-m', port.protocol, '--dport', String(port.containerPort), '-j', 'ACCEPT'], tag),
        },
      ];
    });
}

/**
 * Deletes every rule in our chains whose tag is `tag` or, with `withEndpoints`, starts with
 * `tag:` — found by listing, so it works after a restart without remembered state.
 */
export async function deleteTaggedRules(iptables: FamilyIptables, chains: BridgeChains, tag: string, withEndpoints: boolean): Promise<void> {
  for (const [table, key] of CHAIN_TABLES) {
    const chain = chains[key];
    let rules: string[][];
    try {
      rules = await iptables.listRules(table, chain);
    } catch {
      continue;
    }
    for (const rule of rules) {
      const comment = commentOf(rule);
      if (comment === tag || (withEndpoints && comment?.startsWith(`${tag}:`))) await iptables.deleteRule(table, chain, rule);
    }
  }
}
