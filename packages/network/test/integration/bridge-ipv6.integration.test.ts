import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createBridgeDriver, createLinuxHostNet, probeHostPort, type DriverEndpointSpec, type DriverNetworkSpec, type NetworkDriver } from '@berth/network';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { type TestSubnet, reserveTestSubnet } from '@berth/testkit/host';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { splitIptablesLine } from '../../src/hostnet/iptables-rule-text.js';
import { eventually, fetchFrom, hostLinksContaining, iptablesLinesContaining, pings, run, shortTag } from './linux-fixture.js';

const hostNet = createLinuxHostNet();
const tag = shortTag();
const chainPrefix = `BT6${tag.toUpperCase()}`;
/** A 16-bit group without leading zeros, so the text is what ip6tables-save prints. */
const group = (): string => (0x1000 + (randomBytes(2).readUInt16BE(0) % 0xf000)).toString(16);
/** A random ULA /48 (`fdxx:xxxx:xxxx`): the test's /64s are `${ula}:<n>::/64`. */
const ula = `fd${randomBytes(1).toString('hex')}:${group()}:${group()}`;
/** Links this file makes: the bridges `b6<tag>n<i>` and the other host's veth `o6<tag>`/`p6<tag>`. */
const ours = (link: string): boolean => link.startsWith(`b6${tag}`) || link.startsWith(`o6${tag}`) || link.startsWith(`p6${tag}`);

/** How a TCP connection attempt ends: `connected`, the error code (`ECONNREFUSED`, …) or `timeout` after `ms`. */
function connectOutcome(host: string, port: number, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code ?? 'error');
    });
  });
}

/** Lines of `ip6tables-save` mentioning `fragment`. */
async function ip6tablesLinesContaining(fragment: string): Promise<string[]> {
  return (await run('ip6tables-save', [])).split('\n').filter((line) => line.includes(fragment));
}

/**
 * Last-resort cleanup after a failed run: every jump to and every chain named with our
 * prefix, in both families (the driver removes them itself when all goes well).
 */
async function purgeChains(prefix: string): Promise<void> {
  for (const bin of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat']) {
      const lines = (await run(bin, ['-w', '-t', table, '-S'])).split('\n');
      for (const line of lines.filter((text) => text.startsWith('-A ') && text.includes(`-j ${prefix}-`) && !text.startsWith(`-A ${prefix}-`))) {
        await run(bin, ['-w', '-t', table, '-D', ...splitIptablesLine(line).slice(1)]).catch(() => undefined);
      }
      const chains = lines.filter((text) => text.startsWith(`-N ${prefix}-`)).map((text) => text.slice(3));
      for (const chain of chains) await run(bin, ['-w', '-t', table, '-F', chain]).catch(() => undefined);
      for (const chain of chains) await run(bin, ['-w', '-t', table, '-X', chain]).catch(() => undefined);
    }
  }
}

describeIntegration(
  'bridge driver IPv6 firewalling on Linux',
  { root: true, commands: ['ip', 'iptables', 'ip6tables', 'iptables-save', 'ip6tables-save', 'nsenter', 'unshare', 'busybox'] },
  () => {
    let reserved: TestSubnet | undefined;
    let stateDir: { path: string; remove: () => Promise<void> };
    let driver: NetworkDriver;
    let httpd: ChildProcess | undefined;
    const networks: DriverNetworkSpec[] = [];
    const endpoints: DriverEndpointSpec[] = [];
    const namespaces: string[] = [];
    const outsideLink = `o6${tag}`;
    const outsidePeer = `p6${tag}`;
    const outsideHostAddress = `${ula}:ff::1`;
    const outsideAddress = `${ula}:ff::2`;
    let outsideNs = '';
    let publishedPort = 0;

    /** Network `index` (1 = app, 2 = other, 3 = internal): 10.x.<index>.0/24 and ${ula}:<index>::/64. */
    function networkSpec(index: number, base: string, internal = false): DriverNetworkSpec {
      return {
        id: randomBytes(32).toString('hex'),
        name: `six-${tag}-${index}`,
        internal,
        ipv4: { subnet: `${base}.${index}.0/24`, gateway: `${base}.${index}.1` },
        ipv6: { subnet: `${ula}:${index}::/64`, gateway: `${ula}:${index}::1` },
        options: { 'com.docker.network.bridge.name': `b6${tag}n${index}` },
      };
    }
    const address6 = (network: number, host: number): string => `${ula}:${network}::${host}`;

    /** A namespace standing in for a container, attached to network `index` as host `host`. */
    async function container(name: string, network: DriverNetworkSpec, index: number, host: number, ports: DriverEndpointSpec['ports'] = []): Promise<string> {
      const netnsPath = join(stateDir.path, 'netns', name);
      await hostNet.createNetns(netnsPath);
      namespaces.push(netnsPath);
      const endpoint: DriverEndpointSpec = {
        networkId: network.id,
        endpointId: randomBytes(32).toString('hex'),
        containerId: `${name}-${tag}`,
        netnsPath,
        interfaceName: 'eth0',
        ipv4Address: `${network.ipv4?.subnet.replace(/\.0\/24$/, '')}.${host}/24`,
        ipv6Address: `${address6(index, host)}/64`,
        defaultRoute: true,
        ports,
      };
      await driver.connectEndpoint(endpoint);
      endpoints.push(endpoint);
      return netnsPath;
    }

    let app1 = '';
    let app2 = '';
    let other1 = '';
    let internal1 = '';

    beforeAll(async () => {
      reserved = await reserveTestSubnet();
      stateDir = await makeTempDir('berth-net6-it');
      driver = createBridgeDriver({ hostNet, chainPrefix });
      for (const spec of [networkSpec(1, reserved.base), networkSpec(2, reserved.base), networkSpec(3, reserved.base, true)]) {
        await driver.createNetwork(spec);
        networks.push(spec);
      }
      const [app, other, internal] = networks as [DriverNetworkSpec, DriverNetworkSpec, DriverNetworkSpec];
      for (let attempt = 0; attempt < 20 && publishedPort === 0; attempt += 1) {
        const candidate = 20000 + Math.floor(Math.random() * 10000);
        if ((await probeHostPort('::', 'tcp', candidate)) && (await probeHostPort('0.0.0.0', 'tcp', candidate))) publishedPort = candidate;
      }
      app1 = await container('app1', app, 1, 2, [
        { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: publishedPort },
        { containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: publishedPort },
      ]);
      app2 = await container('app2', app, 1, 3);
      other1 = await container('other1', other, 2, 2);
      internal1 = await container('int1', internal, 3, 2);

      const root = join(stateDir.path, 'www');
      await mkdir(root, { recursive: true });
      await writeFile(join(root, 'index.html'), `hello over v6 ${tag}\n`);
      httpd = spawn('nsenter', [`--net=${app1}`, 'busybox', 'httpd', '-f', '-p', '[::]:80', '-h', root], { stdio: 'ignore' });

      // The "other host": a namespace joined to the host by a veth pair on ${ula}:ff::/64.
      outsideNs = join(stateDir.path, 'netns', 'outside');
      await hostNet.createNetns(outsideNs);
      namespaces.push(outsideNs);
      await hostNet.addVethPair(outsideLink, outsidePeer);
      await hostNet.moveLinkToNetns(outsidePeer, outsideNs);
      await hostNet.addAddress(outsideLink, `${outsideHostAddress}/64`);
      await hostNet.setLinkUp(outsideLink);
      await hostNet.addAddress(outsidePeer, `${outsideAddress}/64`, outsideNs);
      await hostNet.setLinkUp(outsidePeer, outsideNs);
      await hostNet.addDefaultRoute(outsideHostAddress, outsidePeer, outsideNs);
    });

    afterAll(async () => {
      if (httpd?.pid) process.kill(httpd.pid, 'SIGKILL');
      for (const endpoint of endpoints.splice(0)) await driver?.disconnectEndpoint(endpoint.networkId, endpoint.endpointId).catch(() => undefined);
      for (const network of networks.splice(0)) await driver?.removeNetwork(network.id).catch(() => undefined);
      await driver?.close();
      for (const path of namespaces.splice(0)) await hostNet.deleteNetns(path).catch(() => undefined);
      for (const link of (await hostLinksContaining(tag).catch(() => [])).filter(ours)) await hostNet.deleteLink(link).catch(() => undefined);
      await purgeChains(chainPrefix).catch(() => undefined);
      await stateDir?.remove();
      await reserved?.release();
    });

    it('turns IPv6 forwarding on and puts the chains in ip6tables', async () => {
      expect(await hostNet.readSysctl('net.ipv6.conf.all.forwarding')).toBe('1');
      expect(await hostNet.readSysctl(`net.ipv6.conf.b6${tag}n1.disable_ipv6`)).toBe('0');
      const lines = await ip6tablesLinesContaining(chainPrefix);
      expect(lines).toContain(`-A FORWARD -j ${chainPrefix}-FORWARD`);
      expect(lines).toContain(`-A ${chainPrefix}-POSTROUTING -s ${ula}:1::/64 ! -o b6${tag}n1 -m comment --comment "berth:b6${tag}n1" -j MASQUERADE`);
    });

    it('lets two endpoints of one network ping each other over IPv6', async () => {
      expect(await eventually(() => pings(app1, address6(1, 3)), 20)).toBe(true);
      expect(await pings(app2, address6(1, 2))).toBe(true);
    });

    it('gives no IPv6 reach from one network into another', async () => {
      // Control: the other network's container is up and routes through its gateway.
      expect(await eventually(() => pings(other1, address6(2, 1)), 20)).toBe(true);
      expect(await eventually(() => pings(app1, outsideAddress), 20)).toBe(true);
      expect(await pings(other1, address6(1, 2))).toBe(false);
      expect(await pings(app1, address6(2, 2))).toBe(false);
    });

    it('keeps an internal network inside its bridge over IPv6', async () => {
      expect(await eventually(() => pings(internal1, address6(3, 1)), 20)).toBe(true);
      // A normal network's container reaches the other host (masqueraded); the internal one does not.
      expect(await eventually(() => pings(app1, outsideAddress), 20)).toBe(true);
      expect(await pings(internal1, outsideAddress)).toBe(false);
      expect(await pings(internal1, address6(1, 2))).toBe(false);
    });

    it('serves a port published on all addresses to another host over IPv6, and to the host on its IPv6 address', async () => {
      const url = `http://[${outsideHostAddress}]:${publishedPort}/`;
      expect(await eventually(async () => (await fetchFrom(outsideNs, url)) !== undefined, 30)).toBe(true);
      expect(await fetchFrom(outsideNs, url)).toBe(`hello over v6 ${tag}\n`);
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      expect(await response.text()).toBe(`hello over v6 ${tag}\n`);
    });

    it('refuses the published port on [::1] rather than DNATing it into a black hole (loopback is never routed off lo)', async () => {
      // Nothing listened on the port when it was picked; a DNAT of ::1 would leave the SYN unanswered.
      expect(await connectOutcome('::1', publishedPort, 5000)).toBe('ECONNREFUSED');
    });

    it('removes every IPv6 rule and chain with the endpoints and networks', async () => {
      if (httpd?.pid) process.kill(httpd.pid, 'SIGKILL');
      httpd = undefined;
      // The published port's DNAT and accept rules carry the endpoint's tag `berth:<bridge>:<id>`.
      expect(await ip6tablesLinesContaining(`berth:b6${tag}n1:`)).toHaveLength(2);
      for (const endpoint of endpoints.splice(0)) await driver.disconnectEndpoint(endpoint.networkId, endpoint.endpointId);
      expect(await ip6tablesLinesContaining(`berth:b6${tag}n1:`)).toEqual([]);
      for (const network of networks.splice(0)) await driver.removeNetwork(network.id);
      expect(await ip6tablesLinesContaining(chainPrefix)).toEqual([]);
      expect(await ip6tablesLinesContaining(`berth:b6${tag}`)).toEqual([]);
      expect(await iptablesLinesContaining(chainPrefix)).toEqual([]);
      expect((await hostLinksContaining(tag)).filter((link) => ours(link) && link !== outsideLink)).toEqual([]);
    });
  },
);
