import { parseIp } from '../ipam/ip-address.js';

/** docker's deterministic MAC for an IPv4 address: `02:42:` followed by the four address bytes. */
export function macAddressForIpv4(address: string): string {
  const value = parseIp(address.replace(/\/\d+$/, '')).value;
  const bytes = [0x02, 0x42, ...[24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn))];
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}
