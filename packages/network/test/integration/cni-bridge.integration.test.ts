import { join } from 'node:path';
import { isBerthError } from '@berth/errdefs';
import {
  bridgeCniConfig,
  createBridgeDriver,
  createExecCniPlugins,
  createLinuxHostNet,
  NetworkNamespaces,
  type CniResult,
  type DriverNetworkSpec,
} from '@berth/network';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freeSubnetBase, hostLinksContaining, inNetns, iptablesLinesContaining, pings, run, shortTag } from './linux-fixture.js';

const hostNet = createLinuxHostNet();
const tag = shortTag();
// The tag as an IPv6 group `ip` prints back unchanged: no leading zero (`08ab` would read back as `8ab`).
const v6Group = (0x1000 + (parseInt(tag, 16) % 0xf000)).toString(16);
const chainPrefix = `BC${tag.toUpperCase()}`;

interface LinkJson {
  ifname: string;
  address?: string;
  master?: string;
  mtu?: number;
  linkinfo?: { info_slave_data?: { hairpin?: boolean } };
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope: string }>;
}

async function linkIn(netns: string | undefined, name: string): Promise<LinkJson | undefined> {
  const args = ['-d', '-j', 'addr', 'show'];
  const text = netns ? await inNetns(netns, ['ip', ...args]) : await run('ip', args);
  return (JSON.parse(text) as LinkJson[]).find((link) => link.ifname === name);
}

async function routesIn(netns: string, family: '-4' | '-6'): Promise<Array<{ dst: string; gateway?: string; dev: string }>> {
  return JSON.parse(await inNetns(netns, ['ip', '-j', family, 'route', 'show'])) as Array<{ dst: string; gateway?: string; dev: string }>;
}

// The real CNI bridge plugin with static IPAM, driven by Berth's runner and by the bridge driver.
describeIntegration(
  'CNI bridge plugin on Linux',
  { root: true, commands: ['ip', 'iptables', 'iptables-save', 'nsenter', 'unshare', 'busybox', '/usr/lib/cni/bridge', '/usr/lib/cni/static'] },
  () => {
    let base = '';
    let stateDir: { path: string; remove: () => Promise<void> };
    let namespaces: NetworkNamespaces;
    const cleanups: Array<() => Promise<unknown>> = [];

    beforeAll(async () => {
      base = await freeSubnetBase(100, 50);
      stateDir = await makeTempDir('berth-cni-it');
      namespaces = new NetworkNamespaces(hostNet, join(stateDir.path, 'netns'));
    });

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    });

    afterAll(async () => {
      await stateDir?.remove();
      expect(await hostLinksContaining(`bc${tag}`)).toEqual([]);
      expect(await iptablesLinesContaining(chainPrefix)).toEqual([]);
    });

    describe('the runner with the real plugins', () => {
      it('attaches a namespace to a bridge (address, routes, MAC, MTU, hairpin), checks it, and DEL leaves nothing', async () => {
        const bridge = `bc${tag}a`;
        await hostNet.addBridge(bridge);
        cleanups.push(() => hostNet.deleteLink(bridge));
        await hostNet.addAddress(bridge, `${base}.1.1/24`);
        await hostNet.addAddress(bridge, `fd00:${v6Group}::1/64`);
        await hostNet.setLinkUp(bridge);
        const netns = await namespaces.create(`runner-${tag}`);
        cleanups.push(() => namespaces.remove(`runner-${tag}`));
        const cni = createExecCniPlugins();
        expect((await cni.version('bridge')).supportedVersions).toContain('1.0.0');

        const config = bridgeCniConfig({
          networkName: `cni-${tag}`,
          bridge,
          mtu: 1400,
          macAddress: '02:42:0a:0b:0c:0d',
          ipv4: { address: `${base}.1.5/24`, gateway: `${base}.1.1` },
          ipv6: { address: `fd00:${v6Group}::5/64`, gateway: `fd00:${v6Group}::1` },
          defaultRoute: true,
        });
        const attachment = { containerId: `c${tag}`, netns, ifName: 'eth0' };
        const result: CniResult = await cni.add(config, attachment);
        cleanups.push(() => cni.del(config, attachment, result));

        const inside = await linkIn(netns, 'eth0');
        expect(inside).toMatchObject({ address: '02:42:0a:0b:0c:0d', mtu: 1400 });
        expect(inside?.addr_info).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ family: 'inet', local: `${base}.1.5`, prefixlen: 24 }),
            expect.objectContaining({ family: 'inet6', local: `fd00:${v6Group}::5`, prefixlen: 64 }),
          ]),
        );
        expect(await routesIn(netns, '-4')).toContainEqual(expect.objectContaining({ dst: 'default', gateway: `${base}.1.1`, dev: 'eth0' }));
        expect(await routesIn(netns, '-6')).toContainEqual(expect.objectContaining({ dst: 'default', gateway: `fd00:${v6Group}::1`, dev: 'eth0' }));
        const hostSide = result.interfaces?.find((iface) => !iface.sandbox && iface.name !== bridge)?.name ?? '';
        expect(await linkIn(undefined, hostSide)).toMatchObject({ master: bridge, mtu: 1400, linkinfo: { info_slave_data: { hairpin: true } } });
        expect(await pings(netns, `${base}.1.1`)).toBe(true);
        // The bridge stays Berth's: the plugin (isGateway off) added no address to it.
        expect((await linkIn(undefined, bridge))?.addr_info?.map((address) => address.local)).toEqual(expect.arrayContaining([`${base}.1.1`]));

        await cni.check(config, attachment, result);

        // A second ADD of the same interface: the plugin's own error, as an errdefs error.
        const again = await cni.add(config, attachment).catch((error: unknown) => error);
        expect(isBerthError(again)).toBe(true);
        expect((again as Error).message).toMatch(/CNI plugin bridge ADD \(eth0 of container c[0-9a-f]+\) failed: .*eth0.*/);

        await cni.del(config, attachment, result);
        expect(await linkIn(netns, 'eth0')).toBeUndefined();
        expect(await linkIn(undefined, hostSide)).toBeUndefined();
        // DEL is idempotent, and fine once the namespace is gone.
        await cni.del(config, attachment, result);
        await namespaces.remove(`runner-${tag}`);
        await cni.del(config, { ...attachment, netns: '' }, result);
      });
    });

    describe('the bridge driver', () => {
      function network(index: number): DriverNetworkSpec {
        return {
          id: `${tag}${index}`.padEnd(64, 'e'),
          name: `cnidrv-${tag}-${index}`,
          internal: false,
          ipv4: { subnet: `${base}.${index}.0/24`, gateway: `${base}.${index}.1` },
          options: { 'com.docker.network.bridge.name': `bc${tag}d${index}` },
        };
      }

      it('attaches through CNI and detaches after a restart from the cached attachment', async () => {
        const cacheDir = join(stateDir.path, 'cni-cache');
        const net = network(2);
        const driver = createBridgeDriver({ hostNet, chainPrefix, attachmentCacheDir: cacheDir });
        await driver.createNetwork(net);
        cleanups.push(async () => {
          // Whatever state the test stopped in: a fresh driver adopts the bridge and removes it with its rules.
          const cleaner = createBridgeDriver({ hostNet, chainPrefix });
          await cleaner.createNetwork(net);
          await cleaner.removeNetwork(net.id);
        });
        const netns = await namespaces.create(`drv-${tag}`);
        cleanups.push(() => namespaces.remove(`drv-${tag}`));
        const endpointId = `${tag}`.padEnd(64, 'a');
        const info = await driver.connectEndpoint({
          networkId: net.id,
          endpointId,
          containerId: `drv${tag}`,
          netnsPath: netns,
          interfaceName: 'eth0',
          ipv4Address: `${base}.2.7/24`,
          defaultRoute: true,
          ports: [],
        });
        expect(info.macAddress).toBe(`02:42:0a:${Number(base.split('.')[1]).toString(16).padStart(2, '0')}:02:07`);
        expect(await linkIn(undefined, info.hostInterface ?? '')).toMatchObject({ master: `bc${tag}d2` });
        expect(await pings(netns, `${base}.2.1`)).toBe(true);
        await driver.close();

        const restarted = createBridgeDriver({ hostNet, chainPrefix, attachmentCacheDir: cacheDir });
        await restarted.createNetwork(net);
        await restarted.disconnectEndpoint(net.id, endpointId);
        expect(await linkIn(netns, 'eth0')).toBeUndefined();
        expect(await linkIn(undefined, info.hostInterface ?? '')).toBeUndefined();
        await restarted.removeNetwork(net.id);
        expect(await hostLinksContaining(`bc${tag}d2`)).toEqual([]);
      });
    });
  },
);
