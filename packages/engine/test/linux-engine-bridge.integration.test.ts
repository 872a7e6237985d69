import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage, tarOf } from '@berth/image/testing';
import { createBridgeDriver, createHostDriver, createLinuxHostNet, createNoneDriver } from '@berth/network';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Engine, createEngine } from '@berth/engine';
import { type TestSubnet, reserveTestSubnet } from '@berth/testkit/host';

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/index.html', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

// The demo path on the real engine: a web server container on the default bridge with a
// published port, reached from the host. A private bridge name and chain prefix keep it
// apart from anything else; the bridge and chains are removed at the end.
describeIntegration('linux engine with bridge networking', { root: true, commands: ['runc', 'conmon', 'iptables', 'ip'] }, () => {
  const tag = randomBytes(3).toString('hex');
  const hostNet = createLinuxHostNet();
  const bridge = createBridgeDriver({ hostNet, chainPrefix: `BT${tag.toUpperCase()}` });
  let dir: { path: string; remove: () => Promise<void> };
  let engine: Engine;
  const stateRoot = `/run/bt-${tag}`;

  // Explicit subnets: automatic ones could race with another test file's engine for one pool.
  let subnetBase: string;
  let reserved: TestSubnet | undefined;

  beforeAll(async () => {
    dir = await makeTempDir('berth-engine-bridge');
    reserved = await reserveTestSubnet();
    subnetBase = reserved.base;
    engine = await createEngine({
      dataRoot: join(dir.path, 'data'),
      stateRoot,
      hostNet,
      networkDrivers: [bridge, createHostDriver(), createNoneDriver()],
      defaultBridge: { bridgeName: `bt${tag}`, subnet: `${subnetBase}.1.0/24` },
    });
    const archive = join(dir.path, 'busybox.tar');
    await writeDockerArchive(archive, [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
    await engine.images.load(archive);
  });

  afterAll(async () => {
    if (engine) {
      for (const container of await engine.containers.list({ all: true })) await engine.containers.remove(container.id, { force: true });
      for (const network of await engine.networks.list({ filters: { type: ['custom'] } })) await engine.networks.remove(network.id);
      const defaultBridge = await engine.networks.inspect('bridge');
      // The predefined network cannot be removed through the engine; its bridge and chains are this test's.
      await bridge.removeNetwork(defaultBridge.id).catch(() => undefined);
      await engine.close();
    }
    await rm(stateRoot, { recursive: true, force: true });
    await dir?.remove();
    await reserved?.release();
  });

  it('serves from a container on the default bridge through a published port', async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      portBindings: { '80/tcp': [{ hostIp: '127.0.0.1', hostPort: 0 }] },
    });
    await engine.containers.putArchive(id, '/', tarOf([{ type: 'dir', path: 'www' }, { type: 'file', path: 'www/index.html', content: 'hello from berth\n' }])());
    await engine.containers.start(id);
    const inspected = await engine.containers.inspect(id);
    const binding = inspected.networkSettings.ports['80/tcp']?.[0];
    expect(binding?.hostPort).toBeGreaterThan(0);
    expect(inspected.networkSettings.networks.bridge?.ipv4Address).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    let body = '';
    for (let attempt = 0; attempt < 50 && body === ''; attempt += 1) {
      body = await get(binding!.hostPort).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return '';
      });
    }
    expect(body).toBe('hello from berth\n');
  });

  it('resolves containers by name on a user-defined network', async () => {
    const network = await engine.networks.create({ name: `bt-net-${tag}`, ipam: { config: [{ subnet: `${subnetBase}.2.0/24` }] } });
    const server = await engine.containers.create({ image: 'busybox', name: `bt-server-${tag}`, cmd: ['sleep', '1000'], networkMode: network.name });
    const client = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], networkMode: network.name });
    await engine.containers.start(server.id);
    await engine.containers.start(client.id);
    const exec = await engine.containers.exec(client.id, { cmd: ['nslookup', `bt-server-${tag}`] });
    const session = await engine.containers.execStart(exec.id);
    let output = '';
    for await (const chunk of session.output) output += chunk.data.toString('utf8');
    const serverAddress = (await engine.containers.inspect(server.id)).networkSettings.networks[network.name]!.ipv4Address!.split('/')[0]!;
    expect(await session.exit).toBe(0);
    expect(output).toContain(serverAddress);
  });
});
