import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InternalError, NotFoundError } from '@berth/errdefs';
import { runProgram } from '@berth/program';
import { z } from 'zod';
import type { IpFamily } from '../ipam/ip-address.js';
import type { HostNet, IptablesTable } from './host-net.js';
import { splitIptablesLine } from './iptables-rule-text.js';

/** Debian packages of the programs this host net runs, named when one is missing. */
const packageOf: Record<string, string> = {
  ip: 'iproute2',
  iptables: 'iptables',
  'iptables-legacy': 'iptables',
  'iptables-restore': 'iptables',
  'iptables-legacy-restore': 'iptables',
  ip6tables: 'iptables',
  'ip6tables-legacy': 'iptables',
  'ip6tables-restore': 'iptables',
  'ip6tables-legacy-restore': 'iptables',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  umount: 'mount',
};

const RouteListSchema = z.array(z.object({ dst: z.string() }).loose());

/** Options of {@link createLinuxHostNet}. */
export interface LinuxHostNetOptions {
  /** `iptables` binary (`iptables-legacy` to force the legacy backend). */
  iptables?: string;
  /** `ip6tables` binary; default the IPv6 twin of `iptables` (`iptables-legacy` → `ip6tables-legacy`). */
  ip6tables?: string;
}

/**
 * Whether a failure means "no such object". iptables-nft 1.8.9 reports a chain missing from a
 * table that has no nft counterpart yet as "incompatible, use 'nft' tool".
 */
function isNoSuchObject(stderr: string): boolean {
  return /Cannot find device|does not exist|No such file|No chain\/target\/match|Bad rule|not found|is incompatible, use 'nft'/i.test(stderr);
}

/**
 * The real {@link HostNet}: spawns `ip` (inside a namespace through `nsenter --net=PATH`),
 * `iptables -w` / `ip6tables -w`, `unshare --net=PATH` for persistent namespaces, and
 * reads/writes `/proc/sys`.
 */
export function createLinuxHostNet(options: LinuxHostNetOptions = {}): HostNet {
  const iptablesBin = options.iptables ?? 'iptables';
  const ip6tablesBin = options.ip6tables ?? iptablesBin.replace(/(^|\/)iptables([^/]*)$/, '$1ip6tables$2');
  const binOf = (family: IpFamily = 4): string => (family === 6 ? ip6tablesBin : iptablesBin);

  async function run(command: string, args: readonly string[], netns?: string, input?: string): Promise<string> {
    const [file, argv] = netns ? ['nsenter', [`--net=${netns}`, command, ...args]] : [command, [...args]];
    const result = await runProgram(file, argv, { packageName: packageOf[file], ...(input === undefined ? {} : { input }) });
    if (result.code === 0) return result.stdout.toString('utf8');
    const stderr = result.stderr.trim();
    const what = `${file} ${argv.join(' ')}`;
    if (isNoSuchObject(stderr)) throw new NotFoundError(`${what}: ${stderr}`);
    throw new InternalError(`${what} failed: ${stderr || (result.signal ?? `exit code ${result.code}`)}`);
  }
  const ip = (args: readonly string[], netns?: string): Promise<string> => run('ip', args, netns);
  const iptables = (table: IptablesTable, args: readonly string[], family?: IpFamily): Promise<string> => run(binOf(family), ['-w', '-t', table, ...args]);
  const sysctlPath = (key: string): string => join('/proc/sys', ...key.split('.'));

  return {
    async createNetns(path) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, '', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      try {
        await run('unshare', [`--net=${path}`, 'true']);
      } catch (error) {
        await rm(path, { force: true });
        throw error;
      }
      await ip(['link', 'set', 'lo', 'up'], path);
    },
    async deleteNetns(path) {
      if (!(await this.netnsExists(path))) throw new NotFoundError(`no network namespace at ${path}`);
      await run('umount', ['-l', path]).catch(() => undefined);
      await rm(path, { force: true });
    },
    async netnsExists(path) {
      try {
        await stat(path);
      } catch {
        return false;
      }
      const mounts = await readFile('/proc/self/mountinfo', 'utf8');
      return mounts.split('\n').some((line) => line.split(' ')[4] === path);
    },
    async addBridge(name, { mtu } = {}) {
      await ip(['link', 'add', 'name', name, ...(mtu ? ['mtu', String(mtu)] : []), 'type', 'bridge']);
    },
    async addVethPair(name, peer, { mtu } = {}) {
      const mtuArgs = mtu ? ['mtu', String(mtu)] : [];
      await ip(['link', 'add', 'name', name, ...mtuArgs, 'type', 'veth', 'peer', 'name', peer, ...mtuArgs]);
    },
    async deleteLink(name, netns) {
      await ip(['link', 'delete', 'dev', name], netns);
    },
    async linkExists(name, netns) {
      try {
        await ip(['link', 'show', 'dev', name], netns);
        return true;
      } catch (error) {
        if (error instanceof NotFoundError) return false;
        throw error;
      }
    },
    async moveLinkToNetns(name, netnsPath) {
      await ip(['link', 'set', 'dev', name, 'netns', netnsPath]);
    },
    async renameLink(name, newName, netns) {
      await ip(['link', 'set', 'dev', name, 'name', newName], netns);
    },
    async setLinkUp(name, netns) {
      await ip(['link', 'set', 'dev', name, 'up'], netns);
    },
    async setLinkMac(name, mac, netns) {
      await ip(['link', 'set', 'dev', name, 'address', mac], netns);
    },
    async linkMac(name, netns) {
      const [link] = JSON.parse(await ip(['-j', 'link', 'show', 'dev', name], netns)) as Array<{ address?: string }>;
      if (!link?.address) throw new InternalError(`ip link show ${name} gave no MAC address`);
      return link.address;
    },
    async setLinkMaster(name, bridge) {
      await ip(['link', 'set', 'dev', name, 'master', bridge]);
    },
    async setHairpin(name, on) {
      await ip(['link', 'set', 'dev', name, 'type', 'bridge_slave', 'hairpin', on ? 'on' : 'off']);
    },
    async addAddress(name, cidr, netns) {
      await ip(['address', 'add', cidr, 'dev', name, ...(cidr.includes(':') ? ['nodad'] : [])], netns);
    },
    async addDefaultRoute(gateway, device, netns) {
      await ip([gateway.includes(':') ? '-6' : '-4', 'route', 'add', 'default', 'via', gateway, 'dev', device], netns);
    },
    async replaceLocalRoute(address, source, netns) {
      await ip(['-4', 'route', 'replace', 'local', address, 'dev', 'lo', 'table', 'local', 'src', source], netns);
    },
    async listRoutes() {
      const destinations: string[] = [];
      for (const family of ['-4', '-6']) {
        const routes = RouteListSchema.parse(JSON.parse((await ip(['-j', family, 'route', 'show', 'table', 'all'])) || '[]'));
        for (const route of routes) {
          if (route.dst === 'default' || route.dst.startsWith('fe80') || route.dst.startsWith('ff')) continue;
          destinations.push(route.dst.includes('/') ? route.dst : `${route.dst}/${family === '-4' ? 32 : 128}`);
        }
      }
      return destinations;
    },
    async readSysctl(key) {
      return (await readFile(sysctlPath(key), 'utf8')).trim();
    },
    async writeSysctl(key, value) {
      await writeFile(sysctlPath(key), value);
    },
    async ensureChain(table, chain, family) {
      try {
        await iptables(table, ['-N', chain], family);
      } catch (error) {
        if (!/already exists/i.test((error as Error).message)) throw error;
      }
    },
    async deleteChain(table, chain, family) {
      try {
        await iptables(table, ['-F', chain], family);
      } catch (error) {
        if (error instanceof NotFoundError) return;
        throw error;
      }
      await iptables(table, ['-X', chain], family);
    },
    async listRules(table, chain, family) {
      const text = await iptables(table, ['-S', chain], family);
      return text
        .split('\n')
        .filter((line) => line.startsWith(`-A ${chain} `))
        .map((line) => splitIptablesLine(line).slice(2));
    },
    async ruleExists(table, chain, rule, family) {
      try {
        await iptables(table, ['-C', chain, ...rule], family);
        return true;
      } catch (error) {
        if (error instanceof NotFoundError) return false;
        throw error;
      }
    },
    async insertRule(table, chain, rule, position = 1, family) {
      await iptables(table, ['-I', chain, String(position), ...rule], family);
    },
    async appendRule(table, chain, rule, family) {
      await iptables(table, ['-A', chain, ...rule], family);
    },
    async deleteRule(table, chain, rule, family) {
      await iptables(table, ['-D', chain, ...rule], family);
    },
    async restoreIptables(rules, netns, family) {
      // `iptables-legacy` → `iptables-legacy-restore`: the restore tool of the same backend.
      await run(`${binOf(family)}-restore`, ['-w', '--noflush'], netns, rules);
    },
  };
}
