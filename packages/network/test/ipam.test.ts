import { errorCode } from '@berth/errdefs';
import { createFileIpamStore, createMemoryIpamStore, Ipam } from '@berth/network';
import { makeTempDir } from '@berth/testkit';
import { describe, expect, it } from 'vitest';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => errorCode(error),
  );
}

describe('Ipam', () => {
  it("gives the first network docker's 172.17.0.0/16 and the next ones 172.18, 172.19 …", async () => {
    const ipam = await Ipam.open(createMemoryIpamStore());
    expect(await ipam.reservePool('a', { family: 4 })).toEqual({ subnet: '172.17.0.0/16', gateway: '172.17.0.1' });
    expect((await ipam.reservePool('b', { family: 4 })).subnet).toBe('172.18.0.0/16');
    expect((await ipam.reservePool('c', { family: 4 })).subnet).toBe('172.19.0.0/16');
  });

  it('skips subnets routed on the host and moves to 192.168.x.0/20 after 172.31', async () => {
    const routed = ['172.17.0.0/16', '172.18.5.0/24', ...Array.from({ length: 12 }, (_, i) => `172.${20 + i}.0.0/16`), '192.168.0.0/24'];
    const ipam = await Ipam.open(createMemoryIpamStore(), { hostSubnets: async () => routed });
    expect((await ipam.reservePool('a', { family: 4 })).subnet).toBe('172.19.0.0/16');
    expect((await ipam.reservePool('b', { family: 4 })).subnet).toBe('192.168.16.0/20');
  });

  it('reports exhaustion of the pools as Unavailable', async () => {
    const ipam = await Ipam.open(createMemoryIpamStore(), { pools: [{ base: '10.9.0.0/23', size: 24 }] });
    await ipam.reservePool('a', { family: 4 });
    await ipam.reservePool('b', { family: 4 });
    expect(await codeOf(ipam.reservePool('c', { family: 4 }))).toBe('Unavailable');
  });

  it('honours subnet, gateway, ip-range and aux addresses, and refuses overlaps', async () => {
    const ipam = await Ipam.open(createMemoryIpamStore());
    const pool = await ipam.reservePool('a', {
      family: 4,
      subnet: '10.10.0.0/24',
      gateway: '10.10.0.254',
      ipRange: '10.10.0.128/30',
      auxAddresses: { router: '10.10.0.129' },
    });
    expect(pool).toEqual({ subnet: '10.10.0.0/24', gateway: '10.10.0.254', ipRange: '10.10.0.128/30' });
    expect(await ipam.allocateAddress('a')).toBe('10.10.0.128');
    expect(await ipam.allocateAddress('a')).toBe('10.10.0.130');
    expect(await ipam.allocateAddress('a')).toBe('10.10.0.131');
    expect(await codeOf(ipam.allocateAddress('a'))).toBe('Unavailable');
    expect(await codeOf(ipam.reservePool('b', { family: 4, subnet: '10.10.0.0/16' }))).toBe('Conflict');
    expect(await codeOf(ipam.reservePool('b', { family: 4, subnet: '10.11.0.0/24', gateway: '10.12.0.1' }))).toBe('InvalidArgument');
    expect(await codeOf(ipam.reservePool('b', { family: 4, subnet: '10.11.0.5/24' }))).toBe('InvalidArgument');
  });

  it('hands out addresses from .2, skips gateway and broadcast, and re-uses released ones', async () => {
    const ipam = await Ipam.open(createMemoryIpamStore());
    await ipam.reservePool('n', { family: 4, subnet: '10.20.0.0/30' });
    expect(await ipam.allocateAddress('n')).toBe('10.20.0.2');
    expect(await codeOf(ipam.allocateAddress('n'))).toBe('Unavailable');
    await ipam.releaseAddress('n', '10.20.0.2/30');
    expect(await ipam.allocateAddress('n')).toBe('10.20.0.2');
  });

  it('gives static addresses when free and in the subnet', async () => {
    const ipam = await Ipam.open(createMemoryIpamStore());
    await ipam.reservePool('n', { family: 4, subnet: '10.30.0.0/24' });
    expect(await ipam.allocateAddress('n', 4, '10.30.0.50')).toBe('10.30.0.50');
    expect(await codeOf(ipam.allocateAddress('n', 4, '10.30.0.50'))).toBe('Conflict');
    expect(await codeOf(ipam.allocateAddress('n', 4, '10.30.0.1'))).toBe('Conflict');
    expect(await codeOf(ipam.allocateAddress('n', 4, '10.31.0.5'))).toBe('InvalidArgument');
    expect(await codeOf(ipam.allocateAddress('missing'))).toBe('NotFound');
  });

  it('allocates IPv6 from a /64 of the ULA pool when no subnet is named', async () => {
    const ipam = await Ipam.open(createMemoryIpamStore());
    const pool = await ipam.reservePool('n', { family: 6 });
    expect(pool).toEqual({ subnet: 'fd42:b3e7::/64', gateway: 'fd42:b3e7::1' });
    expect(await ipam.allocateAddress('n', 6)).toBe('fd42:b3e7::2');
  });

  it('persists pools and leases in a JSON file and reloads them', async () => {
    const dir = await makeTempDir('berth-ipam');
    try {
      const first = await Ipam.open(createFileIpamStore(dir.path));
      await first.reservePool('n', { family: 4, subnet: '10.40.0.0/24' });
      await first.allocateAddress('n');
      await first.allocateAddress('n', 4, '10.40.0.9');
      const second = await Ipam.open(createFileIpamStore(dir.path));
      expect(second.pools('n')).toEqual([{ subnet: '10.40.0.0/24', gateway: '10.40.0.1' }]);
      expect(second.allocated('n')).toEqual(['10.40.0.2', '10.40.0.9']);
      expect(await second.allocateAddress('n')).toBe('10.40.0.3');
      await second.releasePools('n');
      expect((await Ipam.open(createFileIpamStore(dir.path))).pools('n')).toEqual([]);
    } finally {
      await dir.remove();
    }
  });

  it('leaves state unchanged when a mutation fails', async () => {
    const store = createMemoryIpamStore();
    const ipam = await Ipam.open(store);
    await ipam.reservePool('n', { family: 4, subnet: '10.50.0.0/24' });
    await codeOf(ipam.reservePool('n', { family: 4 }));
    expect((await store.load()).pools).toHaveLength(1);
  });
});
