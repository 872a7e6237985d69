import { describe, expect, it } from 'vitest';
import { formatIp, formatSubnet, parseIp, parseSubnet, subnetContains, subnetsOverlap, tryParseIp } from '@berth/network';

describe('IP addresses and subnets', () => {
  it('round-trips IPv4 and compresses IPv6 canonically', () => {
    expect(formatIp(parseIp('172.17.0.1'))).toBe('172.17.0.1');
    expect(formatIp(parseIp('2001:db8:0:0:0:0:0:1'))).toBe('2001:db8::1');
    expect(formatIp(parseIp('::'))).toBe('::');
    expect(formatIp(parseIp('fd00::1:0:0:2'))).toBe('fd00::1:0:0:2');
    expect(formatIp(parseIp('::ffff:10.0.0.1'))).toBe('::ffff:a00:1');
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['256.1.1.1', '1.2.3', 'a.b.c.d', '1::2::3', '12345::1', '']) expect(tryParseIp(bad)).toBeUndefined();
    expect(() => parseIp('nope')).toThrow(/invalid IP address/);
  });

  it('parses subnets, refusing host bits unless allowed', () => {
    expect(formatSubnet(parseSubnet('10.1.0.0/16'))).toBe('10.1.0.0/16');
    expect(() => parseSubnet('10.1.2.3/16')).toThrow(/did you mean 10.1.0.0\/16/);
    expect(formatSubnet(parseSubnet('10.1.2.3/16', true))).toBe('10.1.0.0/16');
    expect(() => parseSubnet('10.0.0.0/33')).toThrow(/invalid CIDR/);
  });

  it('answers containment and overlap', () => {
    const subnet = parseSubnet('172.18.0.0/16');
    expect(subnetContains(subnet, parseIp('172.18.255.254'))).toBe(true);
    expect(subnetContains(subnet, parseIp('172.19.0.1'))).toBe(false);
    expect(subnetsOverlap(subnet, parseSubnet('172.18.5.0/24'))).toBe(true);
    expect(subnetsOverlap(subnet, parseSubnet('172.19.0.0/16'))).toBe(false);
    expect(subnetsOverlap(subnet, parseSubnet('fd00::/8'))).toBe(false);
  });
});
