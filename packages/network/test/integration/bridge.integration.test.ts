import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createBridgeDriver,
  createLinuxHostNet,
  createMemoryIpamStore,
  createMemoryNetworkStore,
  Ipam,
  NetworkController,
  NetworkNamespaces,
  parsePortSpec,
  PortAllocator,
  probeHostPort,
  startDnsServer,
  type DnsServer,
  type Endpoint,
} from '@berth/network';
import { describeNetworkDriver } from '@berth/network/conformance';
import { describeIntegration, makeTempDir, withForwardPolicy } from '@berth/testkit';
import { type TestSubnet, reserveTestSubnet } from '@berth/testkit/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, fetchFrom, hostLinksContaining, inNetns, iptablesLinesContaining, pings, run, shortTag } from './linux-fixture.js';

const hostNet = createLinuxHostNet();
const tag = shortTag();
const chainPrefix = `BT${tag.toUpperCase()}`;
let subnetBase = '';

let reserved: TestSubnet | undefined;

const subnet = (index: number): string => `${subnetBase}.${index}.0/24`;
const gateway = (index: number): string => `${subnetBase}.${index}.1`;

describeIntegration('bridge driver on Linux', { root: true, commands: ['ip', 'iptables', 'iptables-save', 'ip6tables-save', 'nsenter', 'unshare', 'busybox'] }, () => {
  let stateDir: { path: string; remove: () => Promise<void> };
  let namespaces: NetworkNamespaces;

  beforeAll(async () => {
    reserved = await reserveTestSubnet();
    subnetBase = reserved.base;
    stateDir = await makeTempDir('berth-net-it');
    namespaces = new NetworkNamespaces(hostNet, join(stateDir.path, 'netns'));
  });

  // net.ipv4.ip_forward stays as the driver left it (on, as dockerd leaves it): putting back
  // the value seen at the start would turn forwarding off under the engines of test files
  // running at the same time.
  afterAll(async () => {
    await stateDir.remove();
    await reserved?.release();
  });

  let sandboxCount = 0;
  describeNetworkDriver('bridge (real, Linux)', {
    createDriver: async () => createBridgeDriver({ hostNet, chainPrefix }),
    createSandbox: async () => {
      const id = `conf-${tag}-${(sandboxCount += 1)}`;
      const netnsPath = await namespaces.create(id);
      return { netnsPath, remove: () => namespaces.remove(id) };
    },
    subnet: (index) => subnet(10 + index),
    networkOptions: (index) => ({ 'com.docker.network.bridge.name': `bt${tag}c${index}` }),
    canReach: async (_driver, netnsPath, address) => pings(netnsPath, address),
    assertClean: async () => {
      expect(await hostLinksContaining(`bt${tag}`)).toEqual([]);
      expect(await iptablesLinesContaining(chainPrefix)).toEqual([]);
      expect((await run('ip6tables-save', [])).split('\n').filter((line) => line.includes(chainPrefix))).toEqual([]);
    },
  });

  describe('networks, DNS and published ports through the controller', () => {
    let controller: NetworkController;
    let httpd: ChildProcess | undefined;
    const outsideNs = () => namespaces.pathOf(`outside-${tag}`);
    const outsideLink = `bto${tag}`;
    // The "other host": a namespace joined to the host by a veth pair on 10.<base>.250.0/30.
    const outsideHostAddress = () => `${subnetBase}.250.1`;
    const outsideAddress = () => `${subnetBase}.250.2`;
    let web: Endpoint;
    let db: Endpoint;
    // Stands in for the host's resolver: the embedded DNS forwards names it does not own here.
    let upstream: DnsServer;

    beforeAll(async () => {
      upstream = await startDnsServer({ host: '127.0.0.1', port: 0, upstreams: [], resolve: (name, family) => (name === `outside-${tag}.test` ? (family === 4 ? ['192.0.2.77'] : []) : undefined) });
      controller = await NetworkController.open({
        drivers: [createBridgeDriver({ hostNet, chainPrefix })],
        ipam: await Ipam.open(createMemoryIpamStore(), { hostSubnets: () => hostNet.listRoutes() }),
        store: createMemoryNetworkStore(),
        ports: new PortAllocator({ probe: probeHostPort }),
        dns: { upstreams: [`127.0.0.1:${upstream.port}`] },
      });
      await controller.createNetwork({
        name: `app-${tag}`,
        ipam: { config: [{ subnet: subnet(1) }] },
        options: { 'com.docker.network.bridge.name': `bt${tag}app` },
      });
      const webNs = await namespaces.create(`web-${tag}`);
      const dbNs = await namespaces.create(`db-${tag}`);
      web = await controller.connect(`app-${tag}`, {
        containerId: `web${tag}`.padEnd(64, '0'),
        containerName: 'web',
        netnsPath: webNs,
        aliases: ['frontend'],
        ports: [...parsePortSpec('127.0.0.1::80'), ...parsePortSpec('80')],
      });
      db = await controller.connect(`app-${tag}`, { containerId: `db${tag}`.padEnd(64, '0'), containerName: 'db', netnsPath: dbNs });

      const root = join(stateDir.path, 'www');
      await mkdir(root, { recursive: true });
      await writeFile(join(root, 'index.html'), `hello from web ${tag}\n`);
      httpd = spawn('nsenter', [`--net=${webNs}`, 'busybox', 'httpd', '-f', '-p', '80', '-h', root], { stdio: 'ignore' });
      const webAddress = web.ipv4Address?.replace(/\/\d+$/, '') ?? '';
      expect(await eventually(async () => (await fetchFrom(dbNs, `http://${webAddress}/`)) !== undefined)).toBe(true);

      await hostNet.createNetns(outsideNs());
      await hostNet.addVethPair(outsideLink, `btp${tag}`);
      await hostNet.moveLinkToNetns(`btp${tag}`, outsideNs());
      await hostNet.addAddress(outsideLink, `${outsideHostAddress()}/30`);
      await hostNet.setLinkUp(outsideLink);
      await hostNet.addAddress(`btp${tag}`, `${outsideAddress()}/30`, outsideNs());
      await hostNet.setLinkUp(`btp${tag}`, outsideNs());
      await hostNet.addDefaultRoute(outsideHostAddress(), `btp${tag}`, outsideNs());
    });

    afterAll(async () => {
      if (httpd?.pid) process.kill(httpd.pid, 'SIGKILL');
      for (const [network, containers] of [[`app-${tag}`, [web, db]]] as const) {
        for (const endpoint of containers) if (endpoint) await controller.disconnect(network, endpoint.containerId).catch(() => undefined);
      }
      for (const network of controller.listNetworks()) {
        for (const id of Object.keys(network.containers)) await controller.disconnect(network.id, id).catch(() => undefined);
        await controller.removeNetwork(network.id).catch(() => undefined);
      }
      await controller.close();
      await upstream.close();
      for (const id of [`web-${tag}`, `db-${tag}`, `outside-${tag}`, `int-${tag}`]) await namespaces.remove(id).catch(() => undefined);
      if (await hostNet.linkExists(outsideLink)) await hostNet.deleteLink(outsideLink);
    });

    const portOn = (hostIp: string): number => web.ports.find((port) => port.hostIp === hostIp)?.hostPort ?? 0;

    it('lets containers on the network ping each other by address', async () => {
      expect(await pings(namespaces.pathOf(`db-${tag}`), web.ipv4Address?.replace(/\/\d+$/, '') ?? '')).toBe(true);
    });

    // Unpinned, a bridge takes the lowest MAC of its ports and changes it as ports come and go,
    // which leaves containers' neighbour entries for the gateway pointing nowhere.
    it('pins the bridge MAC (set, not inherited from a port): derived from the gateway', async () => {
      const sys = (file: string) => readFile(`/sys/class/net/bt${tag}app/${file}`, 'utf8').then((text) => text.trim());
      // 3 = NET_ADDR_SET: the kernel no longer recalculates it when ports join or leave.
      expect(await sys('addr_assign_type')).toBe('3');
      const gatewayBytes = gateway(1).split('.').map((byte) => Number(byte).toString(16).padStart(2, '0'));
      expect(await sys('address')).toBe(`02:42:${gatewayBytes.join(':')}`);
    });

    it('answers container names and aliases from inside a namespace through the embedded DNS', async () => {
      const dbNs = namespaces.pathOf(`db-${tag}`);
      const dns = controller.dnsServerOf(`app-${tag}`);
      expect(dns).toEqual({ host: gateway(1), port: 53 });
      for (const name of ['web', 'frontend', web.containerId.slice(0, 12)]) {
        const output = await inNetns(dbNs, ['busybox', 'nslookup', name, gateway(1)]);
        expect(output).toContain(web.ipv4Address?.replace(/\/\d+$/, ''));
      }
      await expect(inNetns(dbNs, ['busybox', 'nslookup', 'no-such-container', gateway(1)])).rejects.toThrow();
    });

    it('forwards other names to the host resolvers', async () => {
      const output = await inNetns(namespaces.pathOf(`db-${tag}`), ['busybox', 'nslookup', `outside-${tag}.test`, gateway(1)]);
      expect(output).toContain('192.0.2.77');
    });

    it('routes the network subnet on the host, so later automatic subnets avoid it', async () => {
      expect(await hostNet.listRoutes()).toContain(subnet(1));
    });

    it('serves a published port on 127.0.0.1 of the host', async () => {
      const response = await fetch(`http://127.0.0.1:${portOn('127.0.0.1')}/`);
      expect(await response.text()).toBe(`hello from web ${tag}\n`);
    });

    it('serves a port published on all addresses to another host and to another container', async () => {
      const port = portOn('0.0.0.0');
      expect(await fetchFrom(outsideNs(), `http://${outsideHostAddress()}:${port}/`)).toBe(`hello from web ${tag}\n`);
      expect(await fetchFrom(namespaces.pathOf(`db-${tag}`), `http://${gateway(1)}:${port}/`)).toBe(`hello from web ${tag}\n`);
      // Hairpin: the publishing container itself, through the host port.
      expect(await fetchFrom(namespaces.pathOf(`web-${tag}`), `http://${gateway(1)}:${port}/`)).toBe(`hello from web ${tag}\n`);
      // The 127.0.0.1-only binding is not reachable from the other host.
      expect(await fetchFrom(outsideNs(), `http://${outsideHostAddress()}:${portOn('127.0.0.1')}/`)).toBeUndefined();
    });

    it('keeps working when the FORWARD policy is DROP', async () => {
      await withForwardPolicy('DROP', async () => {
        expect(await pings(namespaces.pathOf(`db-${tag}`), web.ipv4Address?.replace(/\/\d+$/, '') ?? '')).toBe(true);
        expect(await fetchFrom(outsideNs(), `http://${outsideHostAddress()}:${portOn('0.0.0.0')}/`)).toBe(`hello from web ${tag}\n`);
        expect(await pings(namespaces.pathOf(`db-${tag}`), outsideAddress())).toBe(true);
      });
    });

    it('keeps an internal network inside its bridge', async () => {
      await controller.createNetwork({
        name: `int-${tag}`,
        internal: true,
        ipam: { config: [{ subnet: subnet(2) }] },
        options: { 'com.docker.network.bridge.name': `bt${tag}int` },
      });
      const intNs = await namespaces.create(`int-${tag}`);
      const endpoint = await controller.connect(`int-${tag}`, { containerId: `int${tag}`.padEnd(64, '0'), containerName: 'lonely', netnsPath: intNs });
      try {
        expect(await pings(intNs, gateway(2))).toBe(true);
        // A container on a normal network reaches the other host; the internal one does not.
        expect(await pings(namespaces.pathOf(`db-${tag}`), outsideAddress())).toBe(true);
        expect(await pings(intNs, outsideAddress())).toBe(false);
        expect(await pings(intNs, db.ipv4Address?.replace(/\/\d+$/, '') ?? '')).toBe(false);
      } finally {
        await controller.disconnect(`int-${tag}`, endpoint.containerId);
        await controller.removeNetwork(`int-${tag}`);
        await namespaces.remove(`int-${tag}`);
      }
    });
  });

  describe('after everything is removed', () => {
    it('leaves no links, rules, chains or namespaces behind', async () => {
      expect(await hostLinksContaining(tag)).toEqual([]);
      expect(await iptablesLinesContaining(chainPrefix)).toEqual([]);
      expect(await iptablesLinesContaining(`berth:bt${tag}`)).toEqual([]);
      expect((await run('ip6tables-save', [])).split('\n').filter((line) => line.includes(chainPrefix) || line.includes(`berth:bt${tag}`))).toEqual([]);
      const mounts = await run('cat', ['/proc/self/mountinfo']);
      expect(mounts).not.toContain(stateDir.path);
    });
  });
});
