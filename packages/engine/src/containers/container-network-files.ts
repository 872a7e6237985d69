import { writeFile } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import { containerHostname } from '@berth/container';
import { buildHostnameFile, buildHostsFile, buildResolvConfFile, parseExtraHosts, readHostResolvConf } from '@berth/network';
import type { RuntimeMount } from '@berth/spec';
import type { ContainerContext } from './container-context.js';
import type { ContainerEntry } from './container-table.js';

/** The container's hostname: the host's in network mode `host`, else its own (docker's rules). */
export function hostnameOf(entry: ContainerEntry): string {
  const { record } = entry;
  return record.networkMode === 'host' ? hostHostname() : containerHostname(record.config, record.id);
}

/**
 * The text of /etc/hosts and /etc/resolv.conf for the container's current networks. The
 * nameserver is the embedded DNS of the first attached network that has one (a user-defined
 * network), as docker's resolver serves every network of the container; without one, the
 * host's resolvers (the default bridge).
 */
async function networkFileTexts(context: ContainerContext, entry: ContainerEntry, hostname: string): Promise<{ hosts: string; 'resolv.conf': string }> {
  const { record } = entry;
  const addresses = Object.values(record.networks)
    .map((settings) => (settings.endpoint as { ipv4Address?: string } | undefined)?.ipv4Address)
    .filter((a): a is string => a !== undefined);
  const controller = context.engine.components.networks;
  const embeddedDns = Object.keys(record.networks)
    .map((name) => controller.dnsServerOf(name)?.host)
    .find((host) => host !== undefined);
  const bridgeGateway = controller.listNetworks({ name: 'bridge' }).find((n) => n.name === 'bridge')?.ipam.config[0]?.gateway;
  return {
    hosts: buildHostsFile({
      hostname,
      ...(record.config.domainname ? { domainname: record.config.domainname } : {}),
      addresses: record.networkMode === 'host' ? [] : addresses,
      extraHosts: parseExtraHosts(record.options.extraHosts ?? [], bridgeGateway),
    }),
    'resolv.conf': buildResolvConfFile({
      host: await readHostResolvConf(),
      ...(embeddedDns ? { embeddedDns } : {}),
      ...(record.options.dns ? { dns: record.options.dns } : {}),
    }),
  };
}

/** Writes /etc/hosts, /etc/resolv.conf and /etc/hostname into the bundle; the bind mounts that put them in place. */
export async function writeNetworkFiles(context: ContainerContext, entry: ContainerEntry, hostname: string): Promise<RuntimeMount[]> {
  const { record } = entry;
  const files: Record<string, string> = { ...(await networkFileTexts(context, entry, hostname)), hostname: buildHostnameFile(hostname) };
  const mounts: RuntimeMount[] = [];
  const explicit = new Set((record.config.mounts ?? []).map((m) => m.target));
  // Written together: three files, each a thread-pool round trip.
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(record.bundle, name), text, { mode: 0o644 })));
  for (const name of Object.keys(files)) {
    const path = join(record.bundle, name);
    if (!explicit.has(`/etc/${name}`)) mounts.push({ destination: `/etc/${name}`, type: 'bind', source: path, options: ['rbind', 'rprivate'] });
  }
  return mounts;
}

/**
 * Rewrites /etc/hosts and /etc/resolv.conf of a running container after a network connect or
 * disconnect, in place (the bind mounts follow the files' inodes), as docker does: joining a
 * user-defined network brings its addresses and the embedded DNS. Files the user mounted
 * over are not the engine's to touch.
 */
export async function refreshNetworkFiles(context: ContainerContext, entry: ContainerEntry): Promise<void> {
  const { record } = entry;
  const explicit = new Set((record.config.mounts ?? []).map((m) => m.target));
  const texts = await networkFileTexts(context, entry, hostnameOf(entry));
  for (const [name, text] of Object.entries(texts)) {
    if (explicit.has(`/etc/${name}`)) continue;
    await writeFile(join(record.bundle, name), text, { mode: 0o644 });
  }
}
