import { AlreadyExistsError, FailedPreconditionError, InternalError, NotFoundError } from '@berth/errdefs';
import type { HostNet, IptablesTable } from '../hostnet/host-net.js';
import type { IpFamily } from '../ipam/ip-address.js';
import { splitIptablesLine } from '../hostnet/iptables-rule-text.js';

/** One recorded call: the method name and its arguments. */
export interface HostNetCall {
  op: keyof HostNet;
  args: unknown[];
}

/** A link as the fake models it. */
export interface FakeLink {
  name: string;
  /** Namespace path, or `''` for the host namespace. */
  netns: string;
  kind: 'bridge' | 'veth';
  /** Veth peer's current name and namespace. */
  peer?: { name: string; netns: string };
  master?: string;
  up: boolean;
  mac?: string;
  hairpin?: boolean;
  mtu?: number;
  addresses: string[];
}

/** Default route of a namespace. */
export interface FakeRoute {
  netns: string;
  gateway: string;
  device: string;
}

/** A `local` route of a namespace's local table (see `HostNet.replaceLocalRoute`). */
export interface FakeLocalRoute {
  netns: string;
  address: string;
  source: string;
}

/**
 * A {@link HostNet} that changes nothing on the machine: it records every call and keeps a
 * small model of namespaces, links, routes, sysctls and iptables chains (the IPv4 and IPv6
 * rule sets apart, as the kernel keeps them), so tests can assert
 * both the calls a driver made and what would be left behind (`links()`, `chains()`, …).
 * Methods fail like the real ones (`NotFound`, `AlreadyExists`); `failOn(op)` injects a fault.
 */
export class RecordingHostNet implements HostNet {
  /** Every call, in order. */
  readonly calls: HostNetCall[] = [];
  readonly #netns = new Set<string>();
  readonly #links = new Map<string, FakeLink>();
  readonly #routes: FakeRoute[] = [];
  readonly #localRoutes: FakeLocalRoute[] = [];
  readonly #sysctls = new Map<string, string>();
  /** Chains per family: `iptables` and `ip6tables` never see each other's chains. */
  readonly #tables: Record<IpFamily, Map<string, string[][]>> = { 4: new Map(), 6: new Map() };
  readonly #faults = new Map<keyof HostNet, Error>();

  constructor(options: { hostRoutes?: string[]; sysctls?: Record<string, string> } = {}) {
    this.hostRoutes = options.hostRoutes ?? [];
    for (const [key, value] of Object.entries(options.sysctls ?? { 'net.ipv4.ip_forward': '0' })) this.#sysctls.set(key, value);
    this.#addBuiltinChains('');
  }

  /** Built-in chains of the filter and nat tables of a namespace (`''` = host), as a new one has them, in both families. */
  #addBuiltinChains(netns: string): void {
    for (const tables of Object.values(this.#tables)) {
      for (const [table, chains] of Object.entries({ filter: ['INPUT', 'FORWARD', 'OUTPUT'], nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] })) {
        for (const chain of chains) tables.set(this.#chainKey(table, chain, netns), []);
      }
    }
  }

  /** The chains of one family (absent = 4, like the real calls). */
  #chainsOf(family: IpFamily = 4): Map<string, string[][]> {
    return this.#tables[family];
  }

  /** `table|chain` in the host namespace (as {@link chains} reports them), `netns|table|chain` inside another. */
  #chainKey(table: string, chain: string, netns = ''): string {
    return netns === '' ? `${table}|${chain}` : `${netns}|${table}|${chain}`;
  }

  /** Routes `listRoutes` reports (the "host" routing table). */
  hostRoutes: string[];

  /** Makes the next call of `op` fail with `error`. */
  failOn(op: keyof HostNet, error: Error): void {
    this.#faults.set(op, error);
  }

  /** Calls of one operation. */
  callsOf(op: keyof HostNet): unknown[][] {
    return this.calls.filter((call) => call.op === op).map((call) => call.args);
  }

  /** Links that exist, optionally only those of one namespace (`''` = host). */
  links(netns?: string): FakeLink[] {
    return [...this.#links.values()].filter((link) => netns === undefined || link.netns === netns).map((link) => structuredClone(link));
  }

  namespaces(): string[] {
    return [...this.#netns];
  }

  routes(): FakeRoute[] {
    return this.#routes.map((route) => ({ ...route }));
  }

  /** `local` routes set with `replaceLocalRoute`, optionally only those of one namespace. */
  localRoutes(netns?: string): FakeLocalRoute[] {
    return this.#localRoutes.filter((route) => netns === undefined || route.netns === netns).map((route) => ({ ...route }));
  }

  sysctl(key: string): string | undefined {
    return this.#sysctls.get(key);
  }

  /**
   * Every chain as `table|chain` → rules (built-in chains included): the host namespace's, or
   * with `netns` those of that namespace (filled by `restoreIptables`); IPv4 (`iptables`)
   * unless `family` is 6 (`ip6tables`).
   */
  chains(netns = '', family: IpFamily = 4): Map<string, string[][]> {
    const prefix = netns === '' ? undefined : `${netns}|`;
    return new Map(
      [...this.#chainsOf(family)]
        .filter(([key]) => (prefix === undefined ? key.split('|').length === 2 : key.startsWith(prefix)))
        .map(([key, rules]) => [prefix === undefined ? key : key.slice(prefix.length), rules.map((rule) => [...rule])]),
    );
  }

  #record(op: keyof HostNet, args: unknown[]): void {
    this.calls.push({ op, args });
    const fault = this.#faults.get(op);
    if (fault) {
      this.#faults.delete(op);
      throw fault;
    }
  }

  #key(name: string, netns = ''): string {
    return `${netns}|${name}`;
  }

  #link(name: string, netns = ''): FakeLink {
    const link = this.#links.get(this.#key(name, netns));
    if (!link) throw new NotFoundError(`Cannot find device "${name}"${netns ? ` in ${netns}` : ''}`);
    return link;
  }

  #addLink(link: FakeLink): void {
    if (this.#links.has(this.#key(link.name, link.netns))) throw new AlreadyExistsError(`link ${link.name} already exists`);
    this.#links.set(this.#key(link.name, link.netns), link);
  }

  #removeLink(link: FakeLink): void {
    this.#links.delete(this.#key(link.name, link.netns));
    for (let i = this.#routes.length - 1; i >= 0; i -= 1) {
      const route = this.#routes[i];
      if (route && route.netns === link.netns && route.device === link.name) this.#routes.splice(i, 1);
    }
    if (link.peer) {
      const peer = this.#links.get(this.#key(link.peer.name, link.peer.netns));
      if (peer) {
        delete peer.peer;
        this.#removeLink(peer);
      }
    }
  }

  #rename(link: FakeLink, name: string, netns: string): void {
    this.#links.delete(this.#key(link.name, link.netns));
    if (link.peer) {
      const peer = this.#links.get(this.#key(link.peer.name, link.peer.netns));
      if (peer) peer.peer = { name, netns };
    }
    link.name = name;
    link.netns = netns;
    this.#addLink(link);
  }

  #chain(table: IptablesTable, chain: string, family: IpFamily = 4): string[][] {
    const rules = this.#chainsOf(family).get(`${table}|${chain}`);
    if (!rules) throw new NotFoundError(`${family === 6 ? 'ip6tables' : 'iptables'}: No chain/target/match by that name: ${table}/${chain}`);
    return rules;
  }

  /** Recorded arguments of an iptables call: the family only when it is 6, so IPv4 calls record as they always did. */
  #withFamily(args: unknown[], family: IpFamily | undefined): unknown[] {
    return family === 6 ? [...args, 6] : args;
  }

  async createNetns(path: string): Promise<void> {
    this.#record('createNetns', [path]);
    if (this.#netns.has(path)) throw new AlreadyExistsError(`network namespace ${path} already exists`);
    this.#netns.add(path);
    this.#addBuiltinChains(path);
  }

  async deleteNetns(path: string): Promise<void> {
    this.#record('deleteNetns', [path]);
    if (!this.#netns.delete(path)) throw new NotFoundError(`no network namespace at ${path}`);
    for (const link of [...this.#links.values()]) if (link.netns === path) this.#removeLink(link);
    // The kernel destroys the namespace's routes and iptables tables with it.
    for (let i = this.#localRoutes.length - 1; i >= 0; i -= 1) if (this.#localRoutes[i]?.netns === path) this.#localRoutes.splice(i, 1);
    for (const tables of Object.values(this.#tables)) for (const key of [...tables.keys()]) if (key.startsWith(`${path}|`)) tables.delete(key);
  }

  async netnsExists(path: string): Promise<boolean> {
    this.#record('netnsExists', [path]);
    return this.#netns.has(path);
  }

  async addBridge(name: string, options: { mtu?: number } = {}): Promise<void> {
    this.#record('addBridge', [name, options]);
    this.#addLink({ name, netns: '', kind: 'bridge', up: false, addresses: [], ...(options.mtu ? { mtu: options.mtu } : {}) });
  }

  async addVethPair(name: string, peer: string, options: { mtu?: number } = {}): Promise<void> {
    this.#record('addVethPair', [name, peer, options]);
    if (this.#links.has(this.#key(peer))) throw new AlreadyExistsError(`link ${peer} already exists`);
    const mtu = options.mtu ? { mtu: options.mtu } : {};
    this.#addLink({ name, netns: '', kind: 'veth', peer: { name: peer, netns: '' }, up: false, addresses: [], ...mtu });
    this.#addLink({ name: peer, netns: '', kind: 'veth', peer: { name, netns: '' }, up: false, addresses: [], ...mtu });
  }

  async deleteLink(name: string, netns?: string): Promise<void> {
    this.#record('deleteLink', [name, netns]);
    this.#removeLink(this.#link(name, netns));
  }

  async linkExists(name: string, netns?: string): Promise<boolean> {
    this.#record('linkExists', [name, netns]);
    return this.#links.has(this.#key(name, netns));
  }

  async moveLinkToNetns(name: string, netnsPath: string): Promise<void> {
    this.#record('moveLinkToNetns', [name, netnsPath]);
    if (!this.#netns.has(netnsPath)) throw new NotFoundError(`no network namespace at ${netnsPath}`);
    const link = this.#link(name);
    if (link.kind === 'bridge') throw new FailedPreconditionError(`cannot move bridge ${name}`);
    link.up = false;
    this.#rename(link, name, netnsPath);
  }

  async renameLink(name: string, newName: string, netns?: string): Promise<void> {
    this.#record('renameLink', [name, newName, netns]);
    this.#rename(this.#link(name, netns), newName, netns ?? '');
  }

  async setLinkUp(name: string, netns?: string): Promise<void> {
    this.#record('setLinkUp', [name, netns]);
    this.#link(name, netns).up = true;
  }

  async setLinkMac(name: string, mac: string, netns?: string): Promise<void> {
    this.#record('setLinkMac', [name, mac, netns]);
    this.#link(name, netns).mac = mac;
  }

  async linkMac(name: string, netns?: string): Promise<string> {
    const link = this.#link(name, netns);
    // A link nobody gave a MAC has one anyway: a stable made-up one, as the kernel's random one.
    link.mac ??= `02:00:00:00:00:${(this.#links.size % 256).toString(16).padStart(2, '0')}`;
    return link.mac;
  }

  async setLinkMaster(name: string, bridge: string): Promise<void> {
    this.#record('setLinkMaster', [name, bridge]);
    if (this.#link(bridge).kind !== 'bridge') throw new FailedPreconditionError(`${bridge} is not a bridge`);
    this.#link(name).master = bridge;
  }

  async setHairpin(name: string, on: boolean): Promise<void> {
    this.#record('setHairpin', [name, on]);
    const link = this.#link(name);
    if (!link.master) throw new FailedPreconditionError(`${name} is not a bridge port`);
    link.hairpin = on;
  }

  async addAddress(name: string, cidr: string, netns?: string): Promise<void> {
    this.#record('addAddress', [name, cidr, netns]);
    const link = this.#link(name, netns);
    if (link.addresses.includes(cidr)) throw new AlreadyExistsError(`address ${cidr} already on ${name}`);
    link.addresses.push(cidr);
  }

  async addDefaultRoute(gateway: string, device: string, netns?: string): Promise<void> {
    this.#record('addDefaultRoute', [gateway, device, netns]);
    this.#link(device, netns);
    const family = gateway.includes(':');
    if (this.#routes.some((route) => route.netns === (netns ?? '') && route.gateway.includes(':') === family)) {
      throw new AlreadyExistsError('default route already exists');
    }
    this.#routes.push({ netns: netns ?? '', gateway, device });
  }

  async replaceLocalRoute(address: string, source: string, netns?: string): Promise<void> {
    this.#record('replaceLocalRoute', [address, source, netns]);
    this.#netnsMustExist(netns);
    const index = this.#localRoutes.findIndex((route) => route.netns === (netns ?? '') && route.address === address);
    if (index >= 0) this.#localRoutes.splice(index, 1);
    this.#localRoutes.push({ netns: netns ?? '', address, source });
  }

  #netnsMustExist(netns: string | undefined): void {
    if (netns !== undefined && !this.#netns.has(netns)) throw new NotFoundError(`nsenter: cannot open ${netns}: No such file or directory`);
  }

  async listRoutes(): Promise<string[]> {
    this.#record('listRoutes', []);
    const own = this.links('').flatMap((link) => link.addresses);
    return [...this.hostRoutes, ...own];
  }

  async readSysctl(key: string): Promise<string> {
    this.#record('readSysctl', [key]);
    return this.#sysctls.get(key) ?? '0';
  }

  async writeSysctl(key: string, value: string): Promise<void> {
    this.#record('writeSysctl', [key, value]);
    this.#sysctls.set(key, value);
  }

  async ensureChain(table: IptablesTable, chain: string, family?: IpFamily): Promise<void> {
    this.#record('ensureChain', this.#withFamily([table, chain], family));
    const chains = this.#chainsOf(family);
    if (!chains.has(`${table}|${chain}`)) chains.set(`${table}|${chain}`, []);
  }

  async deleteChain(table: IptablesTable, chain: string, family?: IpFamily): Promise<void> {
    this.#record('deleteChain', this.#withFamily([table, chain], family));
    const chains = this.#chainsOf(family);
    const referenced = [...this.chains('', family).values()].some((rules) => rules.some((rule) => rule.includes('-j') && rule[rule.indexOf('-j') + 1] === chain));
    if (referenced && chains.has(`${table}|${chain}`)) throw new FailedPreconditionError(`chain ${chain} is still referenced`);
    chains.delete(`${table}|${chain}`);
  }

  async listRules(table: IptablesTable, chain: string, family?: IpFamily): Promise<string[][]> {
    this.#record('listRules', this.#withFamily([table, chain], family));
    return this.#chain(table, chain, family).map((rule) => [...rule]);
  }

  async ruleExists(table: IptablesTable, chain: string, rule: readonly string[], family?: IpFamily): Promise<boolean> {
    this.#record('ruleExists', this.#withFamily([table, chain, [...rule]], family));
    return this.#chain(table, chain, family).some((existing) => existing.join(' ') === rule.join(' '));
  }

  async insertRule(table: IptablesTable, chain: string, rule: readonly string[], position = 1, family?: IpFamily): Promise<void> {
    this.#record('insertRule', this.#withFamily([table, chain, [...rule], position], family));
    this.#jumpTargetMustExist(table, rule, family);
    this.#chain(table, chain, family).splice(position - 1, 0, [...rule]);
  }

  async appendRule(table: IptablesTable, chain: string, rule: readonly string[], family?: IpFamily): Promise<void> {
    this.#record('appendRule', this.#withFamily([table, chain, [...rule]], family));
    this.#jumpTargetMustExist(table, rule, family);
    this.#chain(table, chain, family).push([...rule]);
  }

  async deleteRule(table: IptablesTable, chain: string, rule: readonly string[], family?: IpFamily): Promise<void> {
    this.#record('deleteRule', this.#withFamily([table, chain, [...rule]], family));
    const rules = this.#chain(table, chain, family);
    const index = rules.findIndex((existing) => existing.join(' ') === rule.join(' '));
    if (index < 0) throw new NotFoundError(`iptables: Bad rule (does a matching rule exist in that chain?): ${rule.join(' ')}`);
    rules.splice(index, 1);
  }

  async restoreIptables(rules: string, netns?: string, family?: IpFamily): Promise<void> {
    this.#record('restoreIptables', this.#withFamily([rules, netns], family));
    this.#netnsMustExist(netns);
    // Like iptables-restore: parse and check everything first, then apply all of it (or nothing).
    const current = this.#chainsOf(family);
    const chains = new Map([...current].map(([key, value]) => [key, value.map((rule) => [...rule])]));
    let table: string | undefined;
    for (const [index, line] of rules.split('\n').entries()) {
      const text = line.trim();
      const fail = (why: string) => new InternalError(`iptables-restore: line ${index + 1} failed: ${why}`);
      if (text === '' || text.startsWith('#')) continue;
      if (text.startsWith('*')) table = text.slice(1);
      else if (text === 'COMMIT') table = undefined;
      else if (table === undefined) throw fail('outside a table');
      else if (text.startsWith(':')) {
        const [chain] = text.slice(1).split(' ');
        // --noflush: a declared user chain is created or flushed; a built-in one keeps its rules.
        const key = this.#chainKey(table, chain ?? '', netns);
        if (!/^(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)$/.test(chain ?? '') || !chains.has(key)) chains.set(key, []);
      } else if (text.startsWith('-A ')) {
        const [, chain = '', ...rule] = splitIptablesLine(text);
        const target = chains.get(this.#chainKey(table, chain, netns));
        if (!target) throw new NotFoundError(`iptables-restore: line ${index + 1}: No chain/target/match by that name: ${chain}`);
        const jump = rule.indexOf('-j');
        const to = jump >= 0 ? rule[jump + 1] : undefined;
        if (to && /^[A-Z0-9]+-/.test(to) && !chains.has(this.#chainKey(table, to, netns))) {
          throw new NotFoundError(`iptables-restore: line ${index + 1}: No chain/target/match by that name: ${to}`);
        }
        target.push(rule);
      } else throw fail(`cannot parse ${text}`);
    }
    if (table !== undefined) throw new InternalError(`iptables-restore: table ${table} has no COMMIT`);
    current.clear();
    for (const [key, value] of chains) current.set(key, value);
  }

  #jumpTargetMustExist(table: IptablesTable, rule: readonly string[], family?: IpFamily): void {
    const jump = rule.indexOf('-j');
    const target = jump >= 0 ? rule[jump + 1] : undefined;
    if (target && /^[A-Z0-9]+-/.test(target) && !this.#chainsOf(family).has(`${table}|${target}`)) {
      throw new NotFoundError(`iptables: No chain/target/match by that name: ${target}`);
    }
  }
}
