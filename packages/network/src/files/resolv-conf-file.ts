import { containerNameservers, type ResolvConf } from '../dns/resolv-conf.js';

/** What a container's /etc/resolv.conf is made of. */
export interface ResolvConfFileOptions {
  /** The host's resolv.conf (search domains and options are inherited). */
  host: ResolvConf;
  /**
   * The embedded DNS address when the container is on a user-defined network with DNS
   * (`127.0.0.11`, docker's, or a gateway when the engine does not point containers there):
   * the container then asks only it (with `ndots:0`), and it forwards the rest.
   */
  embeddedDns?: string;
  /** `--dns`, `--dns-search`, `--dns-option` overrides. */
  dns?: readonly string[];
  dnsSearch?: readonly string[];
  dnsOptions?: readonly string[];
}

/** Text of a container's /etc/resolv.conf. */
export function buildResolvConfFile(options: ResolvConfFileOptions): string {
  const nameservers = options.embeddedDns
    ? [options.embeddedDns]
    : options.dns && options.dns.length > 0
      ? [...options.dns]
      : containerNameservers(options.host);
  const search = options.dnsSearch && options.dnsSearch.length > 0 ? options.dnsSearch : options.host.search;
  const dnsOptions = options.dnsOptions && options.dnsOptions.length > 0 ? [...options.dnsOptions] : [...options.host.options];
  // docker's embedded DNS answers bare names itself; ndots:0 keeps resolvers from appending search domains first.
  if (options.embeddedDns && !dnsOptions.some((option) => option.startsWith('ndots:'))) dnsOptions.push('ndots:0');
  const lines = nameservers.map((ns) => `nameserver ${ns}`);
  if (search.length > 0) lines.push(`search ${search.join(' ')}`);
  if (dnsOptions.length > 0) lines.push(`options ${dnsOptions.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
