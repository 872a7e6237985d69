import { readFile } from 'node:fs/promises';

/** The parts of a resolv.conf Berth uses and writes. */
export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

/** Parses resolv.conf text (`nameserver`, `search`/`domain`, `options`; comments ignored). */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const line of text.split('\n')) {
    const [keyword, ...values] = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (keyword === 'nameserver' && values[0]) conf.nameservers.push(values[0]);
    else if (keyword === 'search' || keyword === 'domain') conf.search = values;
    else if (keyword === 'options') conf.options.push(...values);
  }
  return conf;
}

/** The host's resolv.conf (default `/etc/resolv.conf`); empty when it is missing. */
export async function readHostResolvConf(path = '/etc/resolv.conf'): Promise<ResolvConf> {
  try {
    return parseResolvConf(await readFile(path, 'utf8'));
  } catch {
    return { nameservers: [], search: [], options: [] };
  }
}

/**
 * Nameservers a container can use directly: loopback resolvers (systemd-resolved's 127.0.0.53)
 * are unreachable from a container's namespace, so they are dropped; Google DNS is docker's
 * fallback when nothing is left.
 */
export function containerNameservers(host: ResolvConf, fallback = ['8.8.8.8', '8.8.4.4']): string[] {
  const usable = host.nameservers.filter((ns) => !ns.startsWith('127.') && ns !== '::1');
  return usable.length > 0 ? usable : fallback;
}

/**
 * Where the embedded DNS forwards the names it does not own: all of the host's nameservers,
 * loopback ones included (systemd-resolved's 127.0.0.53) — the server runs in the host's
 * namespace, where they answer, as docker's internal resolver uses them — or Google DNS
 * when the host names none.
 */
export function embeddedDnsUpstreams(host: ResolvConf, fallback = ['8.8.8.8', '8.8.4.4']): string[] {
  return host.nameservers.length > 0 ? [...host.nameservers] : fallback;
}
