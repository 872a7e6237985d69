import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { FailedPreconditionError, InternalError } from '@berth/errdefs';
import { createBridgeDriver, hostVethName, type DriverEndpointSpec, type DriverNetworkSpec } from '@berth/network';
import { describeNetworkDriver } from '@berth/network/conformance';
import { RecordingCniPlugins, RecordingHostNet } from '@berth/network/testing';
import { makeTempDir } from '@berth/testkit';
import { describe, expect, it } from 'vitest';

const BUILTIN = new Set(['filter|INPUT', 'filter|FORWARD', 'filter|OUTPUT', 'nat|PREROUTING', 'nat|INPUT', 'nat|OUTPUT', 'nat|POSTROUTING']);

/** Non-empty or non-built-in chains the fake still holds. */
function leftovers(hostNet: RecordingHostNet): string[] {
  return [...hostNet.chains()].filter(([key, rules]) => !BUILTIN.has(key) || rules.length > 0).map(([key, rules]) => `${key}: ${rules.length}`);
}

let fakeHostNet = new RecordingHostNet();
let fakeCni = new RecordingCniPlugins();
let sandboxes = 0;
describeNetworkDriver('bridge over the recording HostNet and CNI plugins', {
  createDriver: async () => {
    fakeHostNet = new RecordingHostNet();
    fakeCni = new RecordingCniPlugins();
    return createBridgeDriver({ hostNet: fakeHostNet, cni: fakeCni });
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
    expect(fakeCni.attachments()).toEqual([]);
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
    const driver = createBridgeDriver({ hostNet, cni: new RecordingCniPlugins(), chainPrefix: 'BT' });
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
    const driver = createBridgeDriver({ hostNet, cni: new RecordingCniPlugins(), chainPrefix: 'BT' });
    await driver.createNetwork(network({ internal: true, options: { 'com.docker.network.bridge.name': 'br-int', 'com.docker.network.bridge.enable_icc': 'false' } }));
    const rules = [...hostNet.chains().values()].flat().map((rule) => rule.join(' '));
    expect(rules.some((rule) => rule.includes('-s 172.18.0.0/16 ! -o br-int -j MASQUERADE'))).toBe(false);
    expect(rules).toContain('-i br-int ! -o br-int -j DROP -m comment --comment berth:br-int');
    expect(rules).toContain('-i br-int -o br-int -j DROP -m comment --comment berth:br-int');
    expect(rules).not.toContain('-i br-int ! -o br-int -j ACCEPT -m comment --comment berth:br-int');
  });

  function endpointOn(net: DriverNetworkSpec, overrides: Partial<DriverEndpointSpec> = {}): DriverEndpointSpec {
    return {
      networkId: net.id,
      endpointId: 'e0123456789abcdef',
      containerId: 'c1',
      netnsPath: '/ns/c1',
      interfaceName: 'eth0',
      ipv4Address: '172.18.0.2/16',
      defaultRoute: true,
      ports: [],
      ...overrides,
    };
  }

  it('plugs an endpoint in through the CNI bridge plugin with static IPAM, then adds its port rules', async () => {
    const hostNet = new RecordingHostNet();
    const cni = new RecordingCniPlugins();
    const driver = createBridgeDriver({ hostNet, cni, chainPrefix: 'BT' });
    const net = network();
    await driver.createNetwork(net);
    await hostNet.createNetns('/ns/c1');
    const endpoint = endpointOn(net, { ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }] });
    const info = await driver.connectEndpoint(endpoint);
    expect(info).toEqual({ interfaceName: 'eth0', macAddress: '02:42:ac:12:00:02', hostInterface: expect.stringMatching(/^veth[0-9a-f]{8}$/) });
    expect(cni.invocationsOf('VERSION')).toEqual([{ command: 'VERSION', type: 'bridge' }]);
    const [add] = cni.invocationsOf('ADD');
    expect(add?.attachment).toEqual({ containerId: 'c1', netns: '/ns/c1', ifName: 'eth0' });
    expect(add?.config).toEqual({
      cniVersion: '1.0.0',
      name: 'appnet',
      type: 'bridge',
      bridge: 'br-app',
      isGateway: false,
      isDefaultGateway: false,
      ipMasq: false,
      hairpinMode: true,
      mtu: 1400,
      capabilities: { mac: true },
      runtimeConfig: { mac: '02:42:ac:12:00:02' },
      ipam: { type: 'static', addresses: [{ address: '172.18.0.2/16', gateway: '172.18.0.1' }], routes: [{ dst: '0.0.0.0/0', gw: '172.18.0.1' }] },
    });
    // The plugin made the veth; the driver touched no link itself.
    expect(hostNet.callsOf('addVethPair')).toEqual([]);
    expect(cni.attachments()).toHaveLength(1);
    const chains = hostNet.chains();
    expect(chains.get('nat|BT-DNAT')?.map((rule) => rule.join(' '))).toEqual([
      '-p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80 -m comment --comment berth:br-app:e0123456789a',
    ]);
    expect(chains.get('filter|BT-PORTS')?.map((rule) => rule.join(' '))).toContain(
      '-d 172.18.0.2/32 ! -i br-app -o br-app -p tcp -m tcp --dport 80 -j ACCEPT -m comment --comment berth:br-app:e0123456789a',
    );

    await driver.disconnectEndpoint(net.id, endpoint.endpointId);
    const [del] = cni.invocationsOf('DEL');
    expect(del?.attachment).toEqual({ containerId: 'c1', netns: '/ns/c1', ifName: 'eth0' });
    expect(del?.config).toEqual({ ...add?.config, prevResult: expect.objectContaining({ interfaces: expect.any(Array) }) });
    expect(cni.attachments()).toEqual([]);
    expect(hostNet.chains().get('nat|BT-DNAT')).toEqual([]);
    // DEL twice is fine.
    await driver.disconnectEndpoint(net.id, endpoint.endpointId);
    await driver.removeNetwork(net.id);
    expect(hostNet.links()).toEqual([]);
    expect(leftovers(hostNet)).toEqual([]);
  });

  it('sends IPv6 addresses, a given MAC and no routes when the endpoint does not carry the default route', async () => {
    const cni = new RecordingCniPlugins();
    const driver = createBridgeDriver({ hostNet: new RecordingHostNet(), cni, chainPrefix: 'BT' });
    const net = network({ ipv6: { subnet: 'fd00:1::/64', gateway: 'fd00:1::1' }, options: { 'com.docker.network.bridge.name': 'br-six' } });
    await driver.createNetwork(net);
    await driver.connectEndpoint(endpointOn(net, { ipv6Address: 'fd00:1::2/64', macAddress: '02:42:00:00:00:99' }));
    await driver.connectEndpoint(endpointOn(net, { endpointId: 'f'.repeat(64), interfaceName: 'eth1', ipv4Address: '172.18.0.3/16', ipv6Address: 'fd00:1::3/64', defaultRoute: false }));
    const [first, second] = cni.invocationsOf('ADD').map((invocation) => invocation.config);
    expect(first).toMatchObject({
      runtimeConfig: { mac: '02:42:00:00:00:99' },
      ipam: {
        addresses: [
          { address: '172.18.0.2/16', gateway: '172.18.0.1' },
          { address: 'fd00:1::2/64', gateway: 'fd00:1::1' },
        ],
        routes: [
          { dst: '0.0.0.0/0', gw: '172.18.0.1' },
          { dst: '::/0', gw: 'fd00:1::1' },
        ],
      },
    });
    expect(first).not.toHaveProperty('mtu');
    expect(second).toMatchObject({ runtimeConfig: { mac: '02:42:ac:12:00:03' }, ipam: { routes: [] } });
  });

  it('sends a DEL when the plugin fails its ADD, and leaves no rules behind', async () => {
    const hostNet = new RecordingHostNet();
    const cni = new RecordingCniPlugins();
    const driver = createBridgeDriver({ hostNet, cni, chainPrefix: 'BT' });
    const net = network();
    await driver.createNetwork(net);
    cni.failOn('ADD', new InternalError('CNI plugin bridge ADD failed: boom'));
    await expect(driver.connectEndpoint(endpointOn(net, { ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }] }))).rejects.toThrow('boom');
    expect(cni.invocationsOf('DEL')).toHaveLength(1);
    expect(cni.attachments()).toEqual([]);
    await driver.removeNetwork(net.id);
    expect(leftovers(hostNet)).toEqual([]);
  });

  it('undoes the CNI attachment when a later step fails', async () => {
    const hostNet = new RecordingHostNet();
    const cni = new RecordingCniPlugins();
    const driver = createBridgeDriver({ hostNet, cni, chainPrefix: 'BT' });
    const net = network();
    await driver.createNetwork(net);
    hostNet.failOn('appendRule', new Error('boom'));
    await expect(
      driver.connectEndpoint(endpointOn(net, { endpointId: 'e1'.repeat(8), ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }] })),
    ).rejects.toThrow('boom');
    expect(cni.attachments()).toEqual([]);
    expect(cni.invocationsOf('DEL')[0]?.config?.prevResult).toBeDefined();
    expect(hostNet.links().map((link) => link.name)).toEqual(['br-app']);
    await driver.removeNetwork(net.id);
    expect(leftovers(hostNet)).toEqual([]);
  });

  it('refuses to attach through a bridge plugin that does not speak CNI 1.0.0', async () => {
    const cni = new RecordingCniPlugins(['0.3.1', '0.4.0']);
    const driver = createBridgeDriver({ hostNet: new RecordingHostNet(), cni, chainPrefix: 'BT' });
    const net = network();
    await driver.createNetwork(net);
    await expect(driver.connectEndpoint(endpointOn(net))).rejects.toBeInstanceOf(FailedPreconditionError);
    expect(cni.invocationsOf('ADD')).toEqual([]);
  });

  it('detaches an endpoint made before a restart from the cached attachment, with no namespace once it is gone', async () => {
    const cacheDir = await makeTempDir('bridge-cni-cache-');
    try {
      const hostNet = new RecordingHostNet();
      const cni = new RecordingCniPlugins();
      const net = network();
      const before = createBridgeDriver({ hostNet, cni, chainPrefix: 'BT', attachmentCacheDir: cacheDir.path });
      await before.createNetwork(net);
      await hostNet.createNetns('/ns/c1');
      await hostNet.createNetns('/ns/c2');
      const alive = endpointOn(net);
      const dead = endpointOn(net, { endpointId: 'd'.repeat(64), containerId: 'c2', netnsPath: '/ns/c2', ipv4Address: '172.18.0.3/16' });
      await before.connectEndpoint(alive);
      await before.connectEndpoint(dead);
      expect((await readdir(cacheDir.path)).sort()).toEqual([`${alive.endpointId}.json`, `${dead.endpointId}.json`].sort());
      await before.close();

      const after = createBridgeDriver({ hostNet, cni, chainPrefix: 'BT', attachmentCacheDir: cacheDir.path });
      await after.createNetwork(net);
      await hostNet.deleteNetns('/ns/c2'); // the container died while no engine watched
      await after.disconnectEndpoint(net.id, dead.endpointId);
      await after.disconnectEndpoint(net.id, alive.endpointId);
      const dels = cni.invocationsOf('DEL');
      expect(dels.map((invocation) => invocation.attachment)).toEqual([
        { containerId: 'c2', netns: '', ifName: 'eth0' },
        { containerId: 'c1', netns: '/ns/c1', ifName: 'eth0' },
      ]);
      expect(dels[0]?.config).toMatchObject({ type: 'bridge', ipam: { addresses: [{ address: '172.18.0.3/16' }] }, prevResult: { ips: [{ address: '172.18.0.3/16' }] } });
      expect(cni.attachments()).toEqual([]);
      expect(await readdir(cacheDir.path)).toEqual([]);
    } finally {
      await cacheDir.remove();
    }
  });

  it('removes the derived veth of an endpoint it has no attachment for (made before endpoints went through CNI)', async () => {
    const hostNet = new RecordingHostNet();
    const cni = new RecordingCniPlugins();
    const driver = createBridgeDriver({ hostNet, cni, chainPrefix: 'BT' });
    const net = network();
    await driver.createNetwork(net);
    const endpointId = 'a'.repeat(64);
    await hostNet.addVethPair(hostVethName(endpointId), 'vpeeraaaaaaa');
    await driver.disconnectEndpoint(net.id, endpointId);
    expect(hostNet.links().map((link) => link.name)).toEqual(['br-app']);
    expect(cni.invocationsOf('DEL')).toEqual([]);
  });

  it('keeps shared chains while another network uses them, and cleans up after a restart by tags', async () => {
    const hostNet = new RecordingHostNet();
    const first = network();
    const second = network({ options: { 'com.docker.network.bridge.name': 'br-two' }, ipv4: { subnet: '172.19.0.0/16', gateway: '172.19.0.1' } });
    const driver = createBridgeDriver({ hostNet, cni: new RecordingCniPlugins(), chainPrefix: 'BT' });
    await driver.createNetwork(first);
    await driver.createNetwork(second);
    await driver.removeNetwork(first.id);
    expect(hostNet.chains().has('filter|BT-FORWARD')).toBe(true);
    await driver.close();
    const restarted = createBridgeDriver({ hostNet, cni: new RecordingCniPlugins(), chainPrefix: 'BT' });
    await restarted.createNetwork(second); // adopts the existing bridge
    expect(hostNet.callsOf('addBridge')).toHaveLength(2);
    await restarted.removeNetwork(second.id);
    expect(hostNet.links()).toEqual([]);
    expect(leftovers(hostNet)).toEqual([]);
  });

  it('leaves an adopted bridge and its rules as found when bringing it back fails (a restarted engine)', async () => {
    const hostNet = new RecordingHostNet();
    const spec = network({ options: { 'com.docker.network.bridge.name': 'br-kept' } });
    const driver = createBridgeDriver({ hostNet, cni: new RecordingCniPlugins(), chainPrefix: 'BT' });
    await driver.createNetwork(spec);
    await driver.close();
    const before = structuredClone([...hostNet.chains()]);
    const restarted = createBridgeDriver({ hostNet, cni: new RecordingCniPlugins(), chainPrefix: 'BT' });
    hostNet.failOn('writeSysctl', new Error('read-only /proc/sys'));
    await expect(restarted.createNetwork(spec)).rejects.toThrow('read-only /proc/sys');
    expect(hostNet.links().map((link) => link.name)).toContain('br-kept');
    expect([...hostNet.chains()]).toEqual(before);
  });

  it('pins the bridge MAC: derived from the gateway for a new bridge, its own for an adopted one', async () => {
    const hostNet = new RecordingHostNet();
    const spec = network({ options: { 'com.docker.network.bridge.name': 'br-mac' } });
    const driver = createBridgeDriver({ hostNet, cni: new RecordingCniPlugins(), chainPrefix: 'BT' });
    await driver.createNetwork(spec);
    // 172.18.0.1 → 02:42:ac:12:00:01, set before the bridge is up (and before any port joins).
    const calls = hostNet.calls.map((call) => call.op);
    expect(hostNet.callsOf('setLinkMac')).toEqual([['br-mac', '02:42:ac:12:00:01', undefined]]);
    expect(calls.indexOf('setLinkMac')).toBeLessThan(calls.indexOf('setLinkUp'));
    await driver.close();
    // An engine restart adopts the bridge: the same MAC set again, which only pins it.
    await hostNet.setLinkMac('br-mac', '02:aa:bb:cc:dd:ee');
    const restarted = createBridgeDriver({ hostNet, cni: new RecordingCniPlugins(), chainPrefix: 'BT' });
    await restarted.createNetwork(spec);
    expect(hostNet.callsOf('setLinkMac').at(-1)).toEqual(['br-mac', '02:aa:bb:cc:dd:ee', undefined]);
  });

  it('refuses bad bridge names and MTUs', async () => {
    const driver = createBridgeDriver({ hostNet: new RecordingHostNet(), cni: new RecordingCniPlugins() });
    await expect(driver.createNetwork(network({ options: { 'com.docker.network.bridge.name': 'a-name-that-is-too-long' } }))).rejects.toThrow(/invalid bridge name/);
    await expect(driver.createNetwork(network({ options: { 'com.docker.network.driver.mtu': '12' } }))).rejects.toThrow(/invalid MTU/);
  });
});
