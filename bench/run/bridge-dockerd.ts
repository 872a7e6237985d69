import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { type PrivateDockerd, startDockerd } from '../lib/dockerd.js';
import { runCommand } from '../lib/process.js';

const ipForwardFile = '/proc/sys/net/ipv4/ip_forward';

/** The built-in chains dockerd adds jumps to, per table. */
const hookedChains = { filter: ['FORWARD', 'INPUT', 'OUTPUT'], nat: ['PREROUTING', 'OUTPUT', 'POSTROUTING'] } as const;
type Table = keyof typeof hookedChains;

/** A private dockerd with its own bridge and iptables rules, and how to undo all of it. */
export interface BridgeDockerd {
  readonly dockerd: PrivateDockerd;
  /** Linux name of its default bridge (created by the script). */
  readonly bridgeName: string;
  /** Address pool its user-defined networks take subnets from. */
  readonly pool: string;
  /** Removes its containers and networks, stops it by pid, then undoes what it did to the host. */
  stop(): Promise<void>;
}

async function chainsOf(table: Table): Promise<Set<string>> {
  const { stdout } = await runCommand('iptables', ['-t', table, '-S']);
  return new Set(stdout.split('\n').filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim()));
}

async function forwardPolicy(): Promise<string> {
  const { stdout } = await runCommand('iptables', ['-S', 'FORWARD']);
  return /^-P FORWARD (\w+)/m.exec(stdout)?.[1] ?? 'ACCEPT';
}

/** `iptables -S` words, with double-quoted strings kept whole. */
function ruleWords(rule: string): string[] {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** A /16 in 10.0.0.0/8 that no route of the host overlaps (the host's routes are all it has). */
async function freePool(): Promise<string> {
  const { stdout } = await runCommand('ip', ['-4', 'route', 'show']);
  const used = stdout.split('\n').map((l) => l.split(' ')[0] ?? '');
  for (let attempt = 0; attempt < 100; attempt++) {
    const second = 100 + (randomBytes(1)[0]! % 150);
    const prefix = `10.${second}.`;
    if (!used.some((route) => route.startsWith(prefix) || route.startsWith('10.0.0.0/'))) return `10.${second}.0.0/16`;
  }
  throw new Error('no free /16 in 10.0.0.0/8 for the second dockerd');
}

/**
 * Starts a second private dockerd (see `startDockerd`) for published ports: its default
 * bridge is `bbr<hex>`, created here with an address (dockerd only creates `docker0`
 * itself, and `--bip` cannot go with `--bridge`), user-defined networks come from a free
 * 10.x.0.0/16 (`--default-address-pool`), iptables on (ip6tables off), userland proxy on
 * (docker's default: it serves 127.0.0.1 ports). Before starting it records the iptables
 * chains, the FORWARD policy and `ip_forward`; `stop` removes the jumps dockerd added to
 * built-in chains and the DOCKER* chains that did not exist before, restores the policy
 * (dockerd sets FORWARD to DROP when it turns forwarding on) and `ip_forward`, and deletes
 * the bridges.
 */
export async function startBridgeDockerd(dir: string): Promise<BridgeDockerd> {
  const bridgeName = `bbr${randomBytes(3).toString('hex')}`;
  const pool = await freePool();
  const base = pool.split('.').slice(0, 2).join('.');
  const before = { filter: await chainsOf('filter'), nat: await chainsOf('nat') };
  const policy = await forwardPolicy();
  const ipForward = (await readFile(ipForwardFile, 'utf8')).trim();
  await runCommand('ip', ['link', 'add', 'name', bridgeName, 'type', 'bridge']);
  let dockerd: PrivateDockerd | undefined;
  const undoHost = async () => {
    for (const table of ['filter', 'nat'] as const) {
      const created = [...(await chainsOf(table))].filter((c) => c.startsWith('DOCKER') && !before[table].has(c));
      for (const chain of hookedChains[table]) {
        const { stdout } = await runCommand('iptables', ['-t', table, '-S', chain]);
        for (const rule of stdout.split('\n').filter((l) => l.startsWith('-A '))) {
          const words = ruleWords(rule);
          const jumpsToNew = created.some((c) => words.includes(c));
          const ours = words.includes(bridgeName) || words.some((w) => w.startsWith(`${base}.`));
          if (jumpsToNew || ours) await runCommand('iptables', ['-t', table, '-D', ...words.slice(1)], { allowFailure: true });
        }
      }
      for (const chain of created) await runCommand('iptables', ['-t', table, '-F', chain], { allowFailure: true });
      for (const chain of created) await runCommand('iptables', ['-t', table, '-X', chain], { allowFailure: true });
    }
    if ((await forwardPolicy()) !== policy) await runCommand('iptables', ['-P', 'FORWARD', policy]);
    if ((await readFile(ipForwardFile, 'utf8')).trim() !== ipForward) await writeFile(ipForwardFile, ipForward);
    await runCommand('ip', ['link', 'del', bridgeName], { allowFailure: true });
  };
  try {
    await runCommand('ip', ['addr', 'add', `${base}.255.1/24`, 'dev', bridgeName]);
    await runCommand('ip', ['link', 'set', bridgeName, 'up']);
    // Later flags override startDockerd's `--bridge=none --iptables=false` (the last value wins).
    dockerd = await startDockerd(dir, [`--bridge=${bridgeName}`, '--iptables=true', '--default-address-pool', `base=${pool},size=24`]);
  } catch (err) {
    await undoHost();
    throw err;
  }
  const started = dockerd;
  return {
    dockerd: started,
    bridgeName,
    pool,
    async stop() {
      try {
        const containers = (await started.docker(['ps', '-aq'])).stdout.split('\n').filter((s) => s !== '');
        if (containers.length > 0) await started.docker(['rm', '-f', ...containers], { allowFailure: true });
        const networks = (await started.docker(['network', 'ls', '-q', '--filter', 'type=custom'])).stdout.split('\n').filter((s) => s !== '');
        for (const network of networks) await started.docker(['network', 'rm', network], { allowFailure: true });
      } finally {
        await started.stop();
        await undoHost();
      }
    },
  };
}
