import { InvalidArgumentError } from '@berth/errdefs';

/** An IP family: 4 or 6. */
export type IpFamily = 4 | 6;

/** An IP address as a number, so subnet arithmetic is plain bigint arithmetic. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A subnet in CIDR form: its network address (host bits zero) and prefix length. */
export interface Subnet {
  readonly family: IpFamily;
  readonly network: bigint;
  readonly prefix: number;
}

/** Bits in an address of the family. */
export function familyBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (const [index, piece] of pieces.entries()) {
      if (piece.includes('.') && index === pieces.length - 1) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** Parses `text` as an IPv4 or IPv6 address, or returns undefined. */
export function tryParseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** Parses `text` as an IP address; `InvalidArgument` when it is not one. */
export function parseIp(text: string): IpAddress {
  const ip = tryParseIp(text);
  if (!ip) throw new InvalidArgumentError(`invalid IP address: ${JSON.stringify(text)}`);
  return ip;
}

/** Canonical text of an address (IPv6 compressed per RFC 5952). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt((7 - i) * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Parses `a.b.c.d/n` (or an IPv6 CIDR); host bits must be zero unless `allowHostBits`. */
export function parseSubnet(text: string, allowHostBits = false): Subnet {
  const [address, prefixText, extra] = text.split('/');
  const ip = address === undefined ? undefined : tryParseIp(address);
  const prefix = Number(prefixText);
  if (!ip || extra !== undefined || !/^\d{1,3}$/.test(prefixText ?? '') || prefix > familyBits(ip.family)) {
    throw new InvalidArgumentError(`invalid CIDR: ${JSON.stringify(text)}`);
  }
  const network = ip.value & prefixMask(ip.family, prefix);
  if (network !== ip.value && !allowHostBits) {
    throw new InvalidArgumentError(`invalid subnet ${text}: host bits set (did you mean ${formatSubnet({ family: ip.family, network, prefix })}?)`);
  }
  return { family: ip.family, network, prefix };
}

/** `a.b.c.d/n` text of a subnet. */
export function formatSubnet(subnet: Subnet): string {
  return `${formatIp({ family: subnet.family, value: subnet.network })}/${subnet.prefix}`;
}

/** The network mask of a prefix length, as a number. */
export function prefixMask(family: IpFamily, prefix: number): bigint {
  const bits = BigInt(familyBits(family));
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** Number of addresses in the subnet (including network and broadcast addresses). */
export function subnetSize(subnet: Subnet): bigint {
  return 1n << BigInt(familyBits(subnet.family) - subnet.prefix);
}

/** Whether `ip` lies inside `subnet`. */
export function subnetContains(subnet: Subnet, ip: IpAddress): boolean {
  return ip.family === subnet.family && (ip.value & prefixMask(subnet.family, subnet.prefix)) === subnet.network;
}

/** Whether two subnets share any address. */
export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  if (a.family !== b.family) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = prefixMask(a.family, prefix);
  return (a.network & mask) === (b.network & mask);
}
