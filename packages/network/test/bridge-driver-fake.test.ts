import { randomBytes } from 'node:crypto';
import { createBridgeDriver, hostVethName, type DriverEndpointSpec, type DriverNetworkSpec } from '@berth/network';
import { describeNetworkDriver } from '@berth/network/conformance';
import { RecordingHostNet } from '@berth/network/testing';
import { describe, expect, it } from 'vitest';

const BUILTIN = new Set(['filter|INPUT', 'filter|FORWARD', 'filter|OUTPUT', 'nat|PREROUTING', 'nat|INPUT', 'nat|OUTPUT', 'nat|POSTROUTING']);

/** Non-empty or non-built-in chains the fake still holds. */
function leftovers(hostNet: RecordingHostNet): string[] {
  return [...hostNet.chains()].filter(([key, rules]) => !BUILTIN.has(key) || rules.length > 0).map(([key, rules]) => `${key}: ${rules.length}`);
}

let fakeHostNet = new RecordingHostNet();
let sandboxes = 0;
describeNetworkDriver('bridge over the recording HostNet', {
  createDriver: async () => {
    fakeHostNet = new RecordingHostNet();
    return createBridgeDriver({ hostNet: fakeHostNet });
  },
  createSandbox: async () => {
    const path = `/run/berth/netns/c${(sandboxes += 1)}`;
    await fakeHostNet.createNetns(path);
    return { netnsPath: path, remove: () => fakeHostNet.deleteNetns(path) };
  },
  subnet: (index) => `10.${110 + index}.0.0/24`,
  networkOptions: (index) => ({ 'com.docker.network.bridge.name': `brtest${index}` }),
  assertClean: async () => {
    expect(fakeHostNet.links()).toEqual([]);
    expect(leftovers(fakeHostNet)).toEqual([]);
  },
});

function network(overrides: Partial<DriverNetworkSpec> = {}): DriverNetworkSpec {
  return {
    id: randomBytes(32).toString('hex'),
    name: 'appnet',
    internal: false,
    ipv4: { subnet: '172.18.0.0/16', gateway: '172.18.0.1' },
    options: { 'com.docker.network.bridge.name': 'br-app', 'com.docker.network.driver.mtu': '1400' },
    ...overrides,
  };
}

describe('bridge driver setup and teardown (recording HostNet)', () => {
  it('creates the bridge with its gateway, route_localnet, ip_forward and jumps to its own chains first', async () => {
    const hostNet = new RecordingHostNet();
    const driver = createBridgeDriver({ hostNet, chainPrefix: 'BT' });
    await driver.createNetwork(network());
    expect(hostNet.links()).toMatchObject([{ name: 'br-app', kind: 'bridge', up: true, mtu: 1400, addresses: ['172.18.0.1/16'] }]);
    expect(hostNet.sysctl('net.ipv4.conf.br-app.route_localnet')).toBe('1');
    expect(hostNet.sysctl('net.ipv4.ip_forward')).toBe('1');
    const chains = hostNet.chains();
    expect(chains.get('filter|FORWARD')?.[0]).toEqual(['-j', 'BT-FORWARD']);
    expect(chains.get('filter|BT-FORWARD')?.slice(0, 2)).toEqual([['-j', 'BT-PORTS'], ['-j', 'BT-ISOLATION']]);
    expect(chains.get('nat|PREROUTING')?.[0]).toEqual(['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'BT-DNAT']);
    expect(chains.get('nat|OUTPUT')?.[0]).toEqual(['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'BT-DNAT']);
    const postrouting = chains.get('nat|BT-POSTROUTING')?.map((rule) => rule.join(' '));
    expect(postrouting).toContain('-s 172.18.0.0/16 ! -o br-app -j MASQUERADE -m comment --comment berth:br-app');
    expect(chains.get('filter|BT-ISOLATION')?.map((rule) => rule.join(' '))).toEqual(['! -i br-app -o br-app -j DROP -m comment --comment berth:br-app']);
  });

  it('gives internal networks no masquerade and no way out; ICC off drops bridge-to-bridge', async () => {
    const hostNet = new RecordingHostNet();
    const driver = createBridgeDriver({ hostNet, chainPrefix: 'BT' });
    await driver.createNetwork(network({ internal: true, options: { 'com.docker.network.bridge.name': 'br-int', 'com.docker.network.bridge.enable_icc': 'false' } }));
    const rules = [...hostNet.chains().values()].flat().map((rule) => rule.join(' '));
    expect(rules.some((rule) => rule.includes('-s 172.18.0.0/16 ! -o br-int -j MASQUERADE'))).toBe(false);
    expect(rules).toContain('-i br-int ! -o br-int -j DROP -m comment --comment berth:br-int');
    expect(rules).toContain('-i br-int -o br-int -j DROP -m comment --comment berth:br-int');
    expect(rules).not.toContain('-i br-int ! -o br-int -j ACCEPT -m comment --comment berth:br-int');
  });

  it('plugs an endpoint in: veth on the bridge with hairpin, eth0 in the namespace, MAC, address, route, port rules', async () => {
    const hostNet = new RecordingHostNet();
    const driver = createBridgeDriver({ hostNet, chainPrefix: 'BT' });
    const net = network();
    await driver.createNetwork(net);
    await hostNet.createNetns('/ns/c1');
    const endpoint: DriverEndpointSpec = {
      networkId: net.id,
      endpointId: 'e0123456789abcdef',
      containerId: 'c1',
      netnsPath: '/ns/c1',
      interfaceName: 'eth0',
      ipv4Address: '172.18.0.2/16',
      defaultRoute: true,
      ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }],
    };
    expect(await driver.connectEndpoint(endpoint)).toEqual({ interfaceName: 'eth0', macAddress: '02:42:ac:12:00:02', hostInterface: 'veth' + 'e012345' });
    expect(hostNet.links('')).toContainEqual(expect.objectContaining({ name: hostVethName(endpoint.endpointId), master: 'br-app', hairpin: true, up: true }));
    expect(hostNet.links('/ns/c1')).toEqual([expect.objectContaining({ name: 'eth0', up: true, mac: '02:42:ac:12:00:02', addresses: ['172.18.0.2/16'], mtu: 1400 })]);
    expect(hostNet.routes()).toEqual([{ netns: '/ns/c1', gateway: '172.18.0.1', device: 'eth0' }]);
    const chains = hostNet.chains();
    expect(chains.get('nat|BT-DNAT')?.map((rule) => rule.join(' '))).toEqual([
      '-p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80 -m comment --comment berth:br-app:e0123456789a',
    ]);
    expect(chains.get('filter|BT-PORTS')?.map((rule) => rule.join(' '))).toContain(
      '-d 172.18.0.2/32 ! -i br-app -o br-app -p tcp -m tcp --dport 80 -j ACCEPT -m comment --comment berth:br-app:e0123456789a',
    );

    await driver.disconnectEndpoint(net.id, endpoint.endpointId);
    expect(hostNet.links('/ns/c1')).toEqual([]);
    expect(hostNet.chains().get('nat|BT-DNAT')).toEqual([]);
    await driver.removeNetwork(net.id);
    expect(hostNet.links()).toEqual([]);
    expect(leftovers(hostNet)).toEqual([]);
  });

  it('undoes a half-done endpoint when a step fails', async () => {
    const hostNet = new RecordingHostNet();
    const driver = createBridgeDriver({ hostNet, chainPrefix: 'BT' });
    const net = network();
    await driver.createNetwork(net);
    await hostNet.createNetns('/ns/c1');
    hostNet.failOn('addAddress', new Error('boom'));
    await expect(
      driver.connectEndpoint({ networkId: net.id, endpointId: 'e1'.repeat(8), containerId: 'c', netnsPath: '/ns/c1', interfaceName: 'eth0', ipv4Address: '172.18.0.2/16', defaultRoute: true, ports: [] }),
    ).rejects.toThrow('boom');
    expect(hostNet.links().map((link) => link.name)).toEqual(['br-app']);
    await driver.removeNetwork(net.id);
    expect(leftovers(hostNet)).toEqual([]);
  });

  it('keeps shared chains while another network uses them, and cleans up after a restart by tags', async () => {
    const hostNet = new RecordingHostNet();
    const first = network();
    const second = network({ options: { 'com.docker.network.bridge.name': 'br-two' }, ipv4: { subnet: '172.19.0.0/16', gateway: '172.19.0.1' } });
    const driver = createBridgeDriver({ hostNet, chainPrefix: 'BT' });
    await driver.createNetwork(first);
    await driver.createNetwork(second);
    await driver.removeNetwork(first.id);
    expect(hostNet.chains().has('filter|BT-FORWARD')).toBe(true);
    await driver.close();
    const restarted = createBridgeDriver({ hostNet, chainPrefix: 'BT' });
    await restarted.createNetwork(second); // adopts the existing bridge
    expect(hostNet.callsOf('addBridge')).toHaveLength(2);
    await restarted.removeNetwork(second.id);
    expect(hostNet.links()).toEqual([]);
    expect(leftovers(hostNet)).toEqual([]);
  });

  it('refuses bad bridge names and MTUs', async () => {
    const driver = createBridgeDriver({ hostNet: new RecordingHostNet() });
    await expect(driver.createNetwork(network({ options: { 'com.docker.network.bridge.name': 'a-name-that-is-too-long' } }))).rejects.toThrow(/invalid bridge name/);
    await expect(driver.createNetwork(network({ options: { 'com.docker.network.driver.mtu': '12' } }))).rejects.toThrow(/invalid MTU/);
  });
});
