import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { runCommand } from './process.js';

const ipForwardFile = '/proc/sys/net/ipv4/ip_forward';
const tables = ['filter', 'nat'] as const;
type Table = (typeof tables)[number];

/**
 * What a berthd changes on the host outside its data and exec roots, as found before it
 * started: network links, iptables chains of the filter and nat tables, `ip_forward`. Taken
 * by {@link snapshotHostNetwork}, undone by {@link restoreHostNetwork}.
 */
export interface HostNetworkSnapshot {
  links: Set<string>;
  chains: Record<Table, Set<string>>;
  ipForward: string;
}

async function chainsOf(table: Table): Promise<Set<string>> {
  const { stdout } = await runCommand('iptables', ['-t', table, '-S']);
  return new Set(stdout.split('\n').filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim()));
}

async function linkNames(): Promise<Set<string>> {
  const { stdout } = await runCommand('ip', ['-o', 'link', 'show']);
  // "3: berth0: <BROADCAST,…" or "7: veth1@if2: …"
  return new Set(stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter((n) => n !== ''));
}

/** `iptables -S` words, with double-quoted strings (comments) kept whole and unquoted. */
export function ruleWords(rule: string): string[] {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** Records links, iptables chains and `ip_forward` before a berthd starts. */
export async function snapshotHostNetwork(): Promise<HostNetworkSnapshot> {
  return {
    links: await linkNames(),
    chains: { filter: await chainsOf('filter'), nat: await chainsOf('nat') },
    ipForward: (await readFile(ipForwardFile, 'utf8')).trim(),
  };
}

/**
 * Undoes what a berthd that has been stopped left on the host (the bridge driver keeps a
 * network's bridge and rules when the daemon exits, as dockerd keeps docker0):
 *
 * - each of `bridges` (the daemon's default bridge; user networks were removed through the
 *   API) that did not exist before is deleted (one that did exist is left alone, rules too);
 * - chains named `<chainPrefix>-…` that did not exist before are unhooked from the built-in
 *   chains, flushed and deleted; in chains that did exist before (another Berth daemon uses
 *   them) only the rules tagged `berth:<bridge>` of our bridges are deleted;
 * - `ip_forward` is turned off again if it was off (the bridge driver turns it on).
 *
 * Returns what it removed, for the caller to print.
 */
export async function restoreHostNetwork(
  before: HostNetworkSnapshot,
  options: { bridges: readonly string[]; chainPrefix?: string },
): Promise<string[]> {
  const prefix = `${options.chainPrefix ?? 'BERTH'}-`;
  const removed: string[] = [];
  // A bridge that was there before belongs to someone else (a berthd that ran earlier): its rules stay.
  const bridges = options.bridges.filter((b) => !before.links.has(b));
  const ours = (words: string[]) => words.some((w) => bridges.some((b) => w === `berth:${b}` || w.startsWith(`berth:${b}:`)));
  for (const table of tables) {
    const now = [...(await chainsOf(table))].filter((c) => c.startsWith(prefix));
    const created = now.filter((c) => !before.chains[table].has(c));
    const kept = now.filter((c) => before.chains[table].has(c));
    const { stdout } = await runCommand('iptables', ['-t', table, '-S']);
    for (const rule of stdout.split('\n').filter((l) => l.startsWith('-A '))) {
      const words = ruleWords(rule);
      const chain = words[1]!;
      const jumpsToCreated = !chain.startsWith(prefix) && created.includes(words[words.indexOf('-j') + 1] ?? '');
      const taggedInKept = kept.includes(chain) && ours(words);
      if (jumpsToCreated || taggedInKept) {
        await runCommand('iptables', ['-t', table, '-D', ...words.slice(1)], { allowFailure: true });
      }
    }
    for (const chain of created) await runCommand('iptables', ['-t', table, '-F', chain], { allowFailure: true });
    for (const chain of created) {
      const { code } = await runCommand('iptables', ['-t', table, '-X', chain], { allowFailure: true });
      if (code === 0) removed.push(`iptables ${table} chain ${chain}`);
    }
  }
  const links = await linkNames();
  for (const bridge of bridges) {
    if (!links.has(bridge)) continue;
    const { code } = await runCommand('ip', ['link', 'del', bridge], { allowFailure: true });
    if (code === 0) removed.push(`bridge ${bridge}`);
  }
  if (before.ipForward === '0' && (await readFile(ipForwardFile, 'utf8')).trim() !== '0') {
    await writeFile(ipForwardFile, '0');
    removed.push('net.ipv4.ip_forward (back to 0)');
  }
  return removed;
}

/** A {@link HostNetworkSnapshot} as JSON (for a file that outlives the process that took it). */
export const HostNetworkSnapshotJson = z.object({
  links: z.array(z.string()),
  chains: z.object({ filter: z.array(z.string()), nat: z.array(z.string()) }),
  ipForward: z.string(),
});

/** The JSON form of a snapshot. */
export function snapshotToJson(snapshot: HostNetworkSnapshot): z.infer<typeof HostNetworkSnapshotJson> {
  return {
    links: [...snapshot.links],
    chains: { filter: [...snapshot.chains.filter], nat: [...snapshot.chains.nat] },
    ipForward: snapshot.ipForward,
  };
}

/** A snapshot back from its JSON form. */
export function snapshotFromJson(json: z.infer<typeof HostNetworkSnapshotJson>): HostNetworkSnapshot {
  return {
    links: new Set(json.links),
    chains: { filter: new Set(json.chains.filter), nat: new Set(json.chains.nat) },
    ipForward: json.ipForward,
  };
}
