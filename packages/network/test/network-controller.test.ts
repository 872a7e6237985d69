import { errorCode } from '@berth/errdefs';
import {
  createFileIpamStore,
  createFileNetworkStore,
  createHostDriver,
  createMemoryDriver,
  createMemoryIpamStore,
  createMemoryNetworkStore,
  createNoneDriver,
  Ipam,
  NetworkController,
  parsePortSpec,
  PortAllocator,
  type MemoryNetworkDriver,
} from '@berth/network';
import { makeTempDir } from '@berth/testkit';
import { describe, expect, it } from 'vitest';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => errorCode(error),
  );
}

async function openController(options: { root?: string; bridge?: MemoryNetworkDriver } = {}) {
  const bridge = options.bridge ?? createMemoryDriver({ type: 'bridge' });
  const controller = await NetworkController.open({
    drivers: [bridge, createHostDriver(), createNoneDriver()],
    ipam: await Ipam.open(options.root ? createFileIpamStore(options.root) : createMemoryIpamStore()),
    store: options.root ? createFileNetworkStore(options.root) : createMemoryNetworkStore(),
    ports: new PortAllocator({ ephemeralRange: [50000, 50100], random: () => 0 }),
  });
  return { controller, bridge };
}

describe('NetworkController', () => {
  it('creates the predefined networks once: bridge on berth0 with 172.17.0.0/16, host, none', async () => {
    const { controller } = await openController();
    expect((await controller.ensurePredefinedNetworks()).map((n) => n.name)).toEqual(['bridge', 'host', 'none']);
    expect(await controller.ensurePredefinedNetworks()).toEqual([]);
    const bridge = controller.inspectNetwork('bridge');
    expect(bridge.options['com.docker.network.bridge.name']).toBe('berth0');
    expect(bridge.ipam.config).toEqual([{ subnet: '172.17.0.0/16', gateway: '172.17.0.1' }]);
    expect(controller.inspectNetwork('host').ipam.config).toEqual([]);
    expect(await codeOf(controller.removeNetwork('bridge'))).toBe('PermissionDenied');
    expect(await codeOf(controller.createNetwork({ name: 'host' }))).toBe('PermissionDenied');
  });

  it('routes a container out through its first network that is not internal', async () => {
    const bridge = createMemoryDriver({ type: 'bridge' });
    const routed: Record<string, boolean> = {};
    const connectEndpoint = bridge.connectEndpoint.bind(bridge);
    bridge.connectEndpoint = async (spec) => {
      routed[`${spec.containerId[0]}:${spec.interfaceName}`] = spec.defaultRoute;
      return connectEndpoint(spec);
    };
    const { controller } = await openController({ bridge });
    await controller.createNetwork({ name: 'inside', internal: true });
    await controller.createNetwork({ name: 'outside' });
    await controller.createNetwork({ name: 'more' });
    await controller.connect('inside', { containerId: 'a'.repeat(64), containerName: 'a', netnsPath: '/ns/a' });
    await controller.connect('outside', { containerId: 'a'.repeat(64), containerName: 'a', netnsPath: '/ns/a' });
    await controller.connect('more', { containerId: 'a'.repeat(64), containerName: 'a', netnsPath: '/ns/a' });
    await controller.connect('outside', { containerId: 'b'.repeat(64), containerName: 'b', netnsPath: '/ns/b' });
    expect(routed).toEqual({ 'a:eth0': false, 'a:eth1': true, 'a:eth2': false, 'b:eth0': true });
  });

  it('creates user networks with the next free subnet, labels and options; names are unique', async () => {
    const { controller } = await openController();
    await controller.ensurePredefinedNetworks();
    const net = await controller.createNetwork({ name: 'appnet', labels: { team: 'a' }, options: { 'com.docker.network.driver.mtu': '1400' }, internal: true });
    expect(net).toMatchObject({ name: 'appnet', driver: 'bridge', internal: true, attachable: true, labels: { team: 'a' }, containers: {} });
    expect(net.ipam.config[0]?.subnet).toBe('172.18.0.0/16');
    expect(net.id).toMatch(/^[0-9a-f]{64}$/);
    expect(await codeOf(controller.createNetwork({ name: 'appnet' }))).toBe('Conflict');
    expect(await codeOf(controller.createNetwork({ name: '-bad' }))).toBe('InvalidArgument');
    expect(await codeOf(controller.createNetwork({ name: 'x', driver: 'overlay' }))).toBe('NotFound');
    expect(controller.inspectNetwork(net.id.slice(0, 6)).name).toBe('appnet');
    expect(controller.listNetworks({ label: ['team=a'] }).map((n) => n.name)).toEqual(['appnet']);
    expect(controller.listNetworks({ driver: 'bridge' }).map((n) => n.name)).toEqual(['appnet', 'bridge']);
  });

  it('connects containers with addresses, aliases, static IPs and ports; DNS resolves them; disconnect releases', async () => {
    const { controller, bridge } = await openController();
    const net = await controller.createNetwork({ name: 'appnet', ipam: { config: [{ subnet: '10.60.0.0/24', ipRange: '10.60.0.128/25' }] } });
    const web = await controller.connect('appnet', {
      containerId: 'a'.repeat(64),
      containerName: '/web',
      netnsPath: '/ns/web',
      aliases: ['frontend'],
      ports: parsePortSpec('127.0.0.1::80'),
    });
    expect(web).toMatchObject({ containerName: 'web', ipv4Address: '10.60.0.128/24', gateway: '10.60.0.1', interfaceName: 'eth0', macAddress: '02:42:0a:3c:00:80' });
    expect(web.ports).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 50000 }]);
    const db = await controller.connect(net.id, { containerId: 'b'.repeat(64), containerName: 'db', netnsPath: '/ns/db', ipv4Address: '10.60.0.5' });
    expect(db).toMatchObject({ ipv4Address: '10.60.0.5/24', staticIpv4: true });
    expect(await codeOf(controller.connect('appnet', { containerId: 'c'.repeat(64), containerName: 'c', netnsPath: '/ns/c', ipv4Address: '10.60.0.5' }))).toBe('Conflict');
    expect(await codeOf(controller.connect('appnet', { containerId: 'a'.repeat(64), containerName: 'web', netnsPath: '/ns/web' }))).toBe('AlreadyExists');
    expect(controller.resolve('appnet', 'frontend')).toEqual(['10.60.0.128']);
    expect(controller.resolve('appnet', 'bbbbbbbbbbbb')).toEqual(['10.60.0.5']);
    expect(controller.resolve('appnet', 'example.com')).toBeUndefined();
    expect(bridge.canReach('/ns/web', '10.60.0.5')).toBe(true);

    expect(await codeOf(controller.removeNetwork('appnet'))).toBe('PermissionDenied');
    await controller.disconnect('appnet', 'a'.repeat(64));
    expect(await codeOf(controller.disconnect('appnet', 'a'.repeat(64)))).toBe('NotFound');
    expect(controller.resolve('appnet', 'web')).toBeUndefined();
    const again = await controller.connect('appnet', { containerId: 'd'.repeat(64), containerName: 'again', netnsPath: '/ns/d', ports: parsePortSpec('127.0.0.1::80') });
    expect(again.ipv4Address).toBe('10.60.0.128/24');
    expect(again.ports[0]?.hostPort).toBe(50000);
  });

  it('publishes a port without a host address on both families of a network with IPv6, as dockerd', async () => {
    const { controller } = await openController();
    await controller.createNetwork({ name: 'dual', enableIpv6: true, ipam: { config: [{ subnet: '10.61.0.0/24' }, { subnet: 'fd61::/64' }] } });
    await controller.createNetwork({ name: 'v4only', ipam: { config: [{ subnet: '10.62.0.0/24' }] } });
    const ports = [...parsePortSpec('8080:80'), ...parsePortSpec('0.0.0.0:8081:81'), ...parsePortSpec('[::]:8082:82')];
    const dual = await controller.connect('dual', { containerId: 'e'.repeat(64), containerName: 'dual', netnsPath: '/ns/dual', ports });
    expect(dual.ports).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
      { containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: 8080 },
      { containerPort: 81, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8081 },
      { containerPort: 82, protocol: 'tcp', hostIp: '::', hostPort: 8082 },
    ]);
    const v4 = await controller.connect('v4only', { containerId: 'f'.repeat(64), containerName: 'v4', netnsPath: '/ns/v4', ports: parsePortSpec('9090:90') });
    expect(v4.ports).toEqual([{ containerPort: 90, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 9090 }]);
  });

  it('keeps both bindings of a dual-family port across a restart, and frees both with the endpoint', async () => {
    const dir = await makeTempDir('berth-netctl-dual');
    try {
      const first = (await openController({ root: dir.path })).controller;
      await first.createNetwork({ name: 'dual', enableIpv6: true, ipam: { config: [{ subnet: '10.63.0.0/24' }, { subnet: 'fd63::/64' }] } });
      await first.connect('dual', { containerId: 'e'.repeat(64), containerName: 'dual', netnsPath: '/ns/dual', ports: parsePortSpec('8080:80') });
      await first.close();
      // Reopened: both bindings are reserved again, so the port is taken for either family...
      const { controller } = await openController({ root: dir.path });
      const other = { containerId: 'f'.repeat(64), containerName: 'other', netnsPath: '/ns/other' };
      expect(await codeOf(controller.connect('dual', { ...other, ports: parsePortSpec('[::]:8080:80') }))).toBe('Conflict');
      // ...and both go with the endpoint: the port is free again for both.
      await controller.disconnect('dual', 'e'.repeat(64));
      const again = await controller.connect('dual', { ...other, ports: parsePortSpec('8080:80') });
      expect(again.ports.map((port) => `${port.hostIp}:${port.hostPort}`)).toEqual(['0.0.0.0:8080', ':::8080']);
      await controller.close();
    } finally {
      await dir.remove();
    }
  });

  it('gives a container eth0 then eth1 and the default route only on its first network', async () => {
    const { controller, bridge } = await openController();
    const one = await controller.createNetwork({ name: 'one' });
    await controller.createNetwork({ name: 'two' });
    await controller.connect('one', { containerId: 'x', containerName: 'x', netnsPath: '/ns/x' });
    const second = await controller.connect('two', { containerId: 'x', containerName: 'x', netnsPath: '/ns/x' });
    expect(second.interfaceName).toBe('eth1');
    expect(bridge.endpoints(one.id)[0]?.spec.defaultRoute).toBe(true);
    expect(bridge.endpoints(controller.inspectNetwork('two').id)[0]?.spec.defaultRoute).toBe(false);
  });

  it('gives the default bridge no name resolution and refuses ports on host/none', async () => {
    const { controller } = await openController();
    await controller.ensurePredefinedNetworks();
    await controller.connect('bridge', { containerId: 'a', containerName: 'web', netnsPath: '/ns/a' });
    expect(controller.resolve('bridge', 'web')).toBeUndefined();
    expect(await codeOf(controller.connect('host', { containerId: 'b', containerName: 'b', netnsPath: '', ports: parsePortSpec('80') }))).toBe('InvalidArgument');
    expect(await codeOf(controller.connect('none', { containerId: 'b', containerName: 'b', netnsPath: '/ns/b', ipv4Address: '10.0.0.2' }))).toBe('InvalidArgument');
    expect((await controller.connect('none', { containerId: 'b', containerName: 'b', netnsPath: '/ns/b' })).ipv4Address).toBeUndefined();
  });

  it('prunes unused user networks, optionally by label', async () => {
    const { controller } = await openController();
    await controller.ensurePredefinedNetworks();
    await controller.createNetwork({ name: 'keep', labels: { keep: '1' } });
    await controller.createNetwork({ name: 'used' });
    await controller.createNetwork({ name: 'idle' });
    await controller.connect('used', { containerId: 'a', containerName: 'a', netnsPath: '/ns/a' });
    expect(await controller.pruneNetworks({ label: ['keep'] })).toEqual(['keep']);
    expect(await controller.pruneNetworks()).toEqual(['idle']);
    expect(controller.listNetworks().map((n) => n.name)).toEqual(['bridge', 'host', 'none', 'used']);
  });

  it('persists networks, endpoints, leases and ports across a restart', async () => {
    const dir = await makeTempDir('berth-netctl');
    try {
      const first = await openController({ root: dir.path });
      await first.controller.createNetwork({ name: 'appnet' });
      await first.controller.connect('appnet', { containerId: 'a', containerName: 'web', netnsPath: '/ns/a', ports: parsePortSpec('80') });
      await first.controller.close();
      const second = await openController({ root: dir.path });
      expect(second.bridge.networkIds()).toHaveLength(1);
      expect(second.controller.resolve('appnet', 'web')).toEqual(['172.17.0.2']);
      const next = await second.controller.connect('appnet', { containerId: 'b', containerName: 'db', netnsPath: '/ns/b', ports: parsePortSpec('80') });
      expect(next.ipv4Address).toBe('172.17.0.3/16');
      expect(next.ports[0]?.hostPort).toBe(50001);
      await second.controller.disconnect('appnet', 'a');
      await second.controller.disconnect('appnet', 'b');
      await second.controller.removeNetwork('appnet');
      expect((await openController({ root: dir.path })).controller.listNetworks()).toEqual([]);
    } finally {
      await dir.remove();
    }
  });

  it('gives back the subnet when the driver refuses a network', async () => {
    const bridge = createMemoryDriver({ type: 'bridge' });
    const { controller } = await openController({ bridge });
    const original = bridge.createNetwork.bind(bridge);
    bridge.createNetwork = async () => {
      throw new Error('driver down');
    };
    await expect(controller.createNetwork({ name: 'a' })).rejects.toThrow('driver down');
    bridge.createNetwork = original;
    expect((await controller.createNetwork({ name: 'a' })).ipam.config[0]?.subnet).toBe('172.17.0.0/16');
  });
});
