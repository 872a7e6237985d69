import type { IpFamily } from '../ipam/ip-address.js';
import type { HostNet, IptablesTable } from './host-net.js';

/**
 * The iptables calls of a {@link HostNet} bound to one IP family, so firewall code is written
 * once for `iptables` and `ip6tables`. Family 4 calls pass no family at all: IPv4 callers
 * record and run exactly as before IPv6 firewalling existed.
 */
export interface FamilyIptables {
  readonly family: IpFamily;
  ensureChain(table: IptablesTable, chain: string): Promise<void>;
  deleteChain(table: IptablesTable, chain: string): Promise<void>;
  listRules(table: IptablesTable, chain: string): Promise<string[][]>;
  ruleExists(table: IptablesTable, chain: string, rule: readonly string[]): Promise<boolean>;
  insertRule(table: IptablesTable, chain: string, rule: readonly string[], position: number): Promise<void>;
  appendRule(table: IptablesTable, chain: string, rule: readonly string[]): Promise<void>;
  deleteRule(table: IptablesTable, chain: string, rule: readonly string[]): Promise<void>;
}

/** The {@link FamilyIptables} view of `hostNet` for `family`. */
export function iptablesOf(hostNet: HostNet, family: IpFamily): FamilyIptables {
  if (family === 4) {
    return {
      family,
      ensureChain: (table, chain) => hostNet.ensureChain(table, chain),
      deleteChain: (table, chain) => hostNet.deleteChain(table, chain),
      listRules: (table, chain) => hostNet.listRules(table, chain),
      ruleExists: (table, chain, rule) => hostNet.ruleExists(table, chain, rule),
      insertRule: (table, chain, rule, position) => hostNet.insertRule(table, chain, rule, position),
      appendRule: (table, chain, rule) => hostNet.appendRule(table, chain, rule),
      deleteRule: (table, chain, rule) => hostNet.deleteRule(table, chain, rule),
    };
  }
  return {
    family,
    ensureChain: (table, chain) => hostNet.ensureChain(table, chain, family),
    deleteChain: (table, chain) => hostNet.deleteChain(table, chain, family),
    listRules: (table, chain) => hostNet.listRules(table, chain, family),
    ruleExists: (table, chain, rule) => hostNet.ruleExists(table, chain, rule, family),
    insertRule: (table, chain, rule, position) => hostNet.insertRule(table, chain, rule, position, family),
    appendRule: (table, chain, rule) => hostNet.appendRule(table, chain, rule, family),
    deleteRule: (table, chain, rule) => hostNet.deleteRule(table, chain, rule, family),
  };
}
