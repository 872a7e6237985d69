import { InvalidArgumentError } from '@berth/errdefs';
import { tryParseIp } from '../ipam/ip-address.js';

/** The special `--add-host` address that stands for the host as seen from containers. */
export const HOST_GATEWAY = 'host-gateway';

/** One `--add-host` entry, resolved. */
export interface ExtraHost {
  name: string;
  address: string;
}

/**
 * Parses `--add-host` values (`name:ip` or `name=ip`; IPv6 addresses may be bracketed);
 * `host-gateway` is replaced by `hostGateway` (the default bridge's gateway address).
 */
export function parseExtraHosts(entries: readonly string[], hostGateway?: string): ExtraHost[] {
  return entries.map((entry) => {
    const separator = /[:=]/.exec(entry);
    const name = separator ? entry.slice(0, separator.index) : '';
    let address = separator ? entry.slice(separator.index + 1) : '';
    if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
    if (address === HOST_GATEWAY) {
      if (!hostGateway) throw new InvalidArgumentError(`cannot resolve ${HOST_GATEWAY} in --add-host ${entry}: no host gateway address known`);
      address = hostGateway;
    }
    if (name === '' || !tryParseIp(address)) throw new InvalidArgumentError(`invalid IP address in add-host: ${JSON.stringify(entry)}`);
    return { name, address };
  });
}

/** What a container's /etc/hosts is made of. */
export interface HostsFileOptions {
  /** The container's hostname (and domain name, if any). */
  hostname: string;
  domainname?: string;
  /** The container's own addresses (first network's), mapped to its hostname. */
  addresses: readonly string[];
  /** Also write the IPv6 localhost lines (default true, as docker does). */
  ipv6?: boolean;
  extraHosts?: readonly ExtraHost[];
}

/** Text of a container's /etc/hosts, laid out like docker's. */
export function buildHostsFile(options: HostsFileOptions): string {
  const lines = ['127.0.0.1\tlocalhost'];
  if (options.ipv6 ?? true) {
    lines.push('::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters');
  }
  for (const host of options.extraHosts ?? []) lines.push(`${host.address}\t${host.name}`);
  const names = options.domainname ? `${options.hostname}.${options.domainname} ${options.hostname}` : options.hostname;
  for (const address of options.addresses) lines.push(`${address.replace(/\/\d+$/, '')}\t${names}`);
  return `${lines.join('\n')}\n`;
}

/** Text of a container's /etc/hostname. */
export function buildHostnameFile(hostname: string): string {
  return `${hostname}\n`;
}
