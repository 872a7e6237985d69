import { randomBytes } from 'node:crypto';
import { FailedPreconditionError, InternalError } from '@berth/errdefs';
import { createBridgeDriver, type DriverEndpointSpec, type DriverNetworkSpec, type IpFamily, type IptablesTable, type PortBinding } from '@berth/network';
import { RecordingCniPlugins, RecordingHostNet } from '@berth/network/testing';
import { describe, expect, it } from 'vitest';

const BUILTIN = new Set(['filter|INPUT', 'filter|FORWARD', 'filter|OUTPUT', 'nat|PREROUTING', 'nat|INPUT', 'nat|OUTPUT', 'nat|POSTROUTING']);

/** Non-empty or non-built-in chains of one family the fake still holds. */
function leftovers(hostNet: RecordingHostNet, family: IpFamily): string[] {
  return [...hostNet.chains('', family)].filter(([key, rules]) => !BUILTIN.has(key) || rules.length > 0).map(([key, rules]) => `${key}: ${rules.length}`);
}

/** Rules of one chain as text, IPv6 rule set. */
function rules6(hostNet: RecordingHostNet, key: string): string[] {
  return (hostNet.chains('', 6).get(key) ?? []).map((rule) => rule.join(' '));
}

function network(overrides: Partial<DriverNetworkSpec> = {}): DriverNetworkSpec {
  return {
    id: randomBytes(32).toString('hex'),
    name: 'sixnet',
    internal: false,
    ipv4: { subnet: '172.18.0.0/16', gateway: '172.18.0.1' },
    ipv6: { subnet: 'fd12:3456:789a::/64', gateway: 'fd12:3456:789a::1' },
    options: { 'com.docker.network.bridge.name': 'br-six' },
    ...overrides,
  };
}

function endpointOn(net: DriverNetworkSpec, ports: PortBinding[], overrides: Partial<DriverEndpointSpec> = {}): DriverEndpointSpec {
  return {
    networkId: net.id,
    endpointId: 'e0123456789abcdef',
    containerId: 'c1',
    netnsPath: '/ns/c1',
    interfaceName: 'eth0',
    ipv4Address: '172.18.0.2/16',
    ipv6Address: 'fd12:3456:789a::2/64',
    defaultRoute: true,
    ports,
    ...overrides,
  };
}

function setup(hostNet = new RecordingHostNet()) {
  return { hostNet, driver: createBridgeDriver({ hostNet, cni: new RecordingCniPlugins(), chainPrefix: 'BT' }) };
}

const TAG = '-m comment --comment berth:br-six';

describe('bridge driver IPv6 firewalling (recording HostNet)', () => {
  it('installs the IPv4 chain structure in ip6tables for a network with an IPv6 subnet, and turns IPv6 forwarding on', async () => {
    const { hostNet, driver } = setup();
    await driver.createNetwork(network());
    expect(hostNet.links()).toMatchObject([{ name: 'br-six', addresses: ['172.18.0.1/16', 'fd12:3456:789a::1/64'] }]);
    expect(hostNet.sysctl('net.ipv6.conf.all.forwarding')).toBe('1');
    const chains = hostNet.chains('', 6);
    expect(chains.get('filter|FORWARD')?.[0]).toEqual(['-j', 'BT-FORWARD']);
    expect(chains.get('filter|INPUT')?.[0]).toEqual(['-j', 'BT-INPUT']);
    expect(chains.get('filter|BT-FORWARD')?.slice(0, 2)).toEqual([['-j', 'BT-PORTS'], ['-j', 'BT-ISOLATION']]);
    expect(chains.get('nat|POSTROUTING')?.[0]).toEqual(['-j', 'BT-POSTROUTING']);
    expect(chains.get('nat|PREROUTING')?.[0]).toEqual(['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'BT-DNAT']);
    // ::1 cannot be DNATed (never routed off lo): keep it out, so [::1]:PORT is refused rather than hanging.
    expect(chains.get('nat|OUTPUT')?.[0]).toEqual(['!', '-d', '::1/128', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'BT-DNAT']);
    expect(rules6(hostNet, 'filter|BT-PORTS')).toEqual([`-o br-six -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT ${TAG}`]);
    expect(rules6(hostNet, 'filter|BT-ISOLATION')).toEqual([`! -i br-six -o br-six -j DROP ${TAG}`]);
    expect(rules6(hostNet, 'filter|BT-FORWARD').slice(2)).toEqual([`-i br-six -o br-six -j ACCEPT ${TAG}`, `-i br-six ! -o br-six -j ACCEPT ${TAG}`]);
    expect(rules6(hostNet, 'filter|BT-INPUT')).toEqual([
      `-i br-six -p udp -m udp --dport 53 -j ACCEPT ${TAG}`,
      `-i br-six -p tcp -m tcp --dport 53 -j ACCEPT ${TAG}`,
    ]);
    expect(rules6(hostNet, 'nat|BT-POSTROUTING')).toEqual([
      `-s fd12:3456:789a::/64 -o br-six -m conntrack --ctstate DNAT -j MASQUERADE ${TAG}`,
      `-s fd12:3456:789a::/64 ! -o br-six -j MASQUERADE ${TAG}`,
    ]);
  });

  it('leaves the IPv4 rules as a network without IPv6 has them', async () => {
    const six = setup();
    await six.driver.createNetwork(network());
    const four = setup();
    await four.driver.createNetwork(network({ ipv6: undefined }));
    expect(six.hostNet.chains()).toEqual(four.hostNet.chains());
  });

  it('touches no ip6tables chain and no IPv6 sysctl for a network without an IPv6 subnet', async () => {
    const { hostNet, driver } = setup();
    const net = network({ ipv6: undefined });
    await driver.createNetwork(net);
    await hostNet.createNetns('/ns/c1');
    await driver.connectEndpoint(endpointOn(net, [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }], { ipv6Address: undefined }));
    expect(leftovers(hostNet, 6)).toEqual([]);
    expect(hostNet.calls.filter((call) => call.args.at(-1) === 6)).toEqual([]);
    expect(hostNet.callsOf('writeSysctl').map(([key]) => key)).not.toContain('net.ipv6.conf.all.forwarding');
  });

  it('keeps an internal network inside its bridge over IPv6 too: no masquerade, no way out, first in the ports chain', async () => {
    const { hostNet, driver } = setup();
    await driver.createNetwork(network({ internal: true }));
    const all = [...hostNet.chains('', 6).values()].flat().map((rule) => rule.join(' '));
    expect(all.filter((rule) => rule.includes('! -o br-six -j MASQUERADE'))).toEqual([]);
    expect(all).not.toContain(`-i br-six ! -o br-six -j ACCEPT ${TAG}`);
    expect(rules6(hostNet, 'filter|BT-PORTS')[0]).toBe(`-i br-six ! -o br-six -j DROP ${TAG}`);
    expect(rules6(hostNet, 'filter|BT-ISOLATION')).toEqual([`! -i br-six -o br-six -j DROP ${TAG}`]);
  });

  it('drops bridge-to-bridge IPv6 traffic with ICC off, and does not masquerade with enable_ip_masquerade=false', async () => {
    const { hostNet, driver } = setup();
    await driver.createNetwork(
      network({
        options: {
          'com.docker.network.bridge.name': 'br-six',
          'com.docker.network.bridge.enable_icc': 'false',
          'com.docker.network.bridge.enable_ip_masquerade': 'false',
        },
      }),
    );
    expect(rules6(hostNet, 'filter|BT-FORWARD').slice(2)).toEqual([`-i br-six -o br-six -j DROP ${TAG}`, `-i br-six ! -o br-six -j ACCEPT ${TAG}`]);
    expect(rules6(hostNet, 'nat|BT-POSTROUTING')).toEqual([`-s fd12:3456:789a::/64 -o br-six -m conntrack --ctstate DNAT -j MASQUERADE ${TAG}`]);
    expect((hostNet.chains().get('nat|BT-POSTROUTING') ?? []).map((rule) => rule.join(' ')).filter((rule) => rule.includes('! -o br-six -j MASQUERADE'))).toEqual([]);
  });

  it('publishes :: and IPv6 host address bindings to the endpoint IPv6 address, 0.0.0.0 ones over IPv4 only, not ::1; removes them with the endpoint', async () => {
    const { hostNet, driver } = setup();
    const net = network();
    await driver.createNetwork(net);
    await hostNet.createNetns('/ns/c1');
    const endpoint = endpointOn(net, [
      // What the controller makes of `-p 8080:80` on a network with IPv6: one binding per family.
      { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
      { containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: 8080 },
      { containerPort: 53, protocol: 'udp', hostIp: '::', hostPort: 5353 },
      { containerPort: 81, protocol: 'tcp', hostIp: 'fd00::2', hostPort: 8081 },
      { containerPort: 82, protocol: 'tcp', hostIp: '::1', hostPort: 8082 },
      { containerPort: 83, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8083 },
    ]);
    await driver.connectEndpoint(endpoint);
    const tag = '-m comment --comment berth:br-six:e0123456789a';
    expect(rules6(hostNet, 'nat|BT-DNAT')).toEqual([
      `! -s fe80::/10 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd12:3456:789a::2]:80 ${tag}`,
      `! -s fe80::/10 -p udp -m udp --dport 5353 -j DNAT --to-destination [fd12:3456:789a::2]:53 ${tag}`,
      `! -s fe80::/10 -d fd00::2/128 -p tcp -m tcp --dport 8081 -j DNAT --to-destination [fd12:3456:789a::2]:81 ${tag}`,
    ]);
    expect(rules6(hostNet, 'filter|BT-PORTS').filter((rule) => rule.includes(tag))).toEqual([
      `-d fd12:3456:789a::2/128 ! -i br-six -o br-six -p tcp -m tcp --dport 80 -j ACCEPT ${tag}`,
      `-d fd12:3456:789a::2/128 ! -i br-six -o br-six -p udp -m udp --dport 53 -j ACCEPT ${tag}`,
      `-d fd12:3456:789a::2/128 ! -i br-six -o br-six -p tcp -m tcp --dport 81 -j ACCEPT ${tag}`,
    ]);
    // IPv4 publishes the bindings without an IPv6 host address, as before.
    expect((hostNet.chains().get('nat|BT-DNAT') ?? []).map((rule) => rule.join(' '))).toEqual([
      `-p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80 ${tag}`,
      `-d 127.0.0.1/32 -p tcp -m tcp --dport 8083 -j DNAT --to-destination 172.18.0.2:83 ${tag}`,
    ]);

    await driver.disconnectEndpoint(net.id, endpoint.endpointId);
    expect(rules6(hostNet, 'nat|BT-DNAT')).toEqual([]);
    expect(rules6(hostNet, 'filter|BT-PORTS').filter((rule) => rule.includes(tag))).toEqual([]);
    expect(rules6(hostNet, 'filter|BT-ISOLATION')).toEqual([`! -i br-six -o br-six -j DROP ${TAG}`]);
  });

  it('publishes nothing over IPv6 for an endpoint without an IPv6 address', async () => {
    const { hostNet, driver } = setup();
    const net = network();
    await driver.createNetwork(net);
    await hostNet.createNetns('/ns/c1');
    await driver.connectEndpoint(endpointOn(net, [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }], { ipv6Address: undefined }));
    expect(rules6(hostNet, 'nat|BT-DNAT')).toEqual([]);
    expect(hostNet.chains().get('nat|BT-DNAT')).toHaveLength(1);
  });

  it('keeps the ip6tables chains while an IPv6 network exists and removes them with the last one', async () => {
    const { hostNet, driver } = setup();
    const first = network();
    const second = network({ options: { 'com.docker.network.bridge.name': 'br-two' }, ipv4: { subnet: '172.19.0.0/16', gateway: '172.19.0.1' }, ipv6: { subnet: 'fd12:3456:789b::/64', gateway: 'fd12:3456:789b::1' } });
    const plain = network({ options: { 'com.docker.network.bridge.name': 'br-four' }, ipv4: { subnet: '172.20.0.0/16', gateway: '172.20.0.1' }, ipv6: undefined });
    await driver.createNetwork(first);
    await driver.createNetwork(second);
    await driver.createNetwork(plain);
    await hostNet.createNetns('/ns/c1');
    await driver.connectEndpoint(endpointOn(first, [{ containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: 8080 }]));
    await driver.removeNetwork(second.id);
    expect(hostNet.chains('', 6).has('filter|BT-FORWARD')).toBe(true);
    expect(rules6(hostNet, 'filter|BT-ISOLATION')).toEqual([`! -i br-six -o br-six -j DROP ${TAG}`]);
    await driver.disconnectEndpoint(first.id, 'e0123456789abcdef');
    await driver.removeNetwork(first.id);
    expect(leftovers(hostNet, 6)).toEqual([]);
    // The IPv4 chains stay for the network without IPv6.
    expect(hostNet.chains().has('filter|BT-FORWARD')).toBe(true);
    await driver.removeNetwork(plain.id);
    expect(leftovers(hostNet, 4)).toEqual([]);
    expect(hostNet.links()).toEqual([]);
  });

  it('turns IPv6 on for a bridge that came up with it off', async () => {
    const hostNet = new RecordingHostNet({ sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.br-six.disable_ipv6': '1' } });
    const { driver } = setup(hostNet);
    await driver.createNetwork(network());
    expect(hostNet.sysctl('net.ipv6.conf.br-six.disable_ipv6')).toBe('0');
    const calls = hostNet.calls.map((call) => `${call.op} ${String(call.args[0])} ${String(call.args[1])}`);
    expect(calls.indexOf('writeSysctl net.ipv6.conf.br-six.disable_ipv6 0')).toBeLessThan(calls.indexOf('addAddress br-six fd12:3456:789a::1/64'));
  });

  it('refuses an IPv6 network on a host without IPv6, leaving no bridge behind', async () => {
    class NoIpv6 extends RecordingHostNet {
      override async readSysctl(key: string): Promise<string> {
        if (key.startsWith('net.ipv6.')) throw new Error(`ENOENT: no such file or directory, open '/proc/sys/${key.replaceAll('.', '/')}'`);
        return super.readSysctl(key);
      }
    }
    const { hostNet, driver } = setup(new NoIpv6());
    await expect(driver.createNetwork(network())).rejects.toBeInstanceOf(FailedPreconditionError);
    expect(hostNet.links()).toEqual([]);
    expect(leftovers(hostNet, 4)).toEqual([]);
  });

  it('undoes both families when an IPv6 rule cannot be added', async () => {
    class FailingIp6tables extends RecordingHostNet {
      override async appendRule(table: IptablesTable, chain: string, rule: readonly string[], family?: IpFamily): Promise<void> {
        if (family === 6) throw new InternalError('ip6tables: boom');
        return super.appendRule(table, chain, rule, family);
      }
    }
    const { hostNet, driver } = setup(new FailingIp6tables());
    await expect(driver.createNetwork(network())).rejects.toThrow('boom');
    expect(hostNet.links()).toEqual([]);
    expect(leftovers(hostNet, 4)).toEqual([]);
    expect(leftovers(hostNet, 6)).toEqual([]);
  });
});

describe('RecordingHostNet IPv6 rule set', () => {
  it('keeps ip6tables chains apart from iptables ones, and records the family only for IPv6 calls', async () => {
    const hostNet = new RecordingHostNet();
    await hostNet.ensureChain('filter', 'BT-X', 6);
    await hostNet.appendRule('filter', 'BT-X', ['-j', 'ACCEPT'], 6);
    expect(hostNet.chains('', 6).get('filter|BT-X')).toEqual([['-j', 'ACCEPT']]);
    expect(hostNet.chains().has('filter|BT-X')).toBe(false);
    await expect(hostNet.listRules('filter', 'BT-X')).rejects.toThrow(/No chain/);
    await expect(hostNet.appendRule('filter', 'FORWARD', ['-j', 'BT-X'])).rejects.toThrow(/BT-X/);
    await hostNet.ensureChain('filter', 'BT-Y');
    expect(hostNet.callsOf('ensureChain')).toEqual([['filter', 'BT-X', 6], ['filter', 'BT-Y']]);
    await hostNet.createNetns('/ns/a');
    await hostNet.restoreIptables('*nat\n:BT-Z - [0:0]\n-A OUTPUT -d ::1/128 -j BT-Z\nCOMMIT\n', '/ns/a', 6);
    expect(hostNet.chains('/ns/a', 6).get('nat|OUTPUT')).toEqual([['-d', '::1/128', '-j', 'BT-Z']]);
    expect(hostNet.chains('/ns/a').get('nat|OUTPUT')).toEqual([]);
    await hostNet.deleteNetns('/ns/a');
    expect(hostNet.chains('/ns/a', 6).size).toBe(0);
  });
});
