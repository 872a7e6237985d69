// Child process of the networking live-restore test: opens the bridge engine on the settings
// given as arguments, creates a user network with a web server (published port, alias) and a
// client on it (using volume data-<tag>), a container on the default bridge, and one (with a published port too) that
// exits once the test creates <workDir>/trigger/exit; prints their IDs and the host port as
// one JSON line, and then idles until the test SIGKILLs it (an engine that crashed).
//
//   node --conditions=@berth/source --import tsx linux-net-restore-child.ts <tag> <subnetBase> <workDir> <stateRoot>
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tarOf } from '@berth/image/testing';
import { createBridgeEngine, hostVethsOf } from './linux-net-fixture.js';

const [tag, subnetBase, workDir, stateRoot] = process.argv.slice(2);
if (!tag || !subnetBase || !workDir || !stateRoot) {
  process.stderr.write('usage: linux-net-restore-child <tag> <subnetBase> <workDir> <stateRoot>\n');
  process.exit(2);
}

const { engine } = await createBridgeEngine({ tag, subnetBase, workDir, stateRoot }, { loadBusybox: true });
const network = `bt-net-${tag}`;
await engine.networks.create({
  name: network,
  ipam: { config: [{ subnet: `${subnetBase}.2.0/24` }] },
  options: { 'com.docker.network.bridge.name': `bt${tag}u` },
});
const web = await engine.containers.create({
  image: 'busybox',
  name: `web-${tag}`,
  cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
  networkMode: network,
  networks: { [network]: { aliases: [`frontend-${tag}`] } },
  portBindings: { '80/tcp': [{ hostIp: '127.0.0.1', hostPort: '' }] },
});
await engine.containers.putArchive(web.id, '/', tarOf([{ type: 'dir', path: 'www' }, { type: 'file', path: 'www/index.html', content: `hello from web ${tag}\n` }])());
const client = await engine.containers.create({
  image: 'busybox',
  name: `client-${tag}`,
  cmd: ['sleep', '1000'],
  networkMode: network,
  mounts: [{ type: 'volume', source: `data-${tag}`, target: '/data' }],
});
const plain = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
await mkdir(join(workDir, 'trigger'), { recursive: true });
const dying = await engine.containers.create({
  image: 'busybox',
  cmd: ['sh', '-c', 'while [ ! -f /trigger/exit ]; do sleep 0.05; done; exit 3'],
  networkMode: network,
  portBindings: { '81/tcp': [{ hostIp: '127.0.0.1', hostPort: '' }] },
  mounts: [{ type: 'bind', source: join(workDir, 'trigger'), target: '/trigger' }],
});
for (const { id } of [web, client, plain, dying]) await engine.containers.start(id);
const dyingEndpoint = (await engine.containers.inspect(dying.id)).networkSettings.networks[network]?.endpointId ?? '';
const port = (await engine.containers.inspect(web.id)).networkSettings.ports['80/tcp']?.[0]?.hostPort ?? 0;
const dyingVeths = await hostVethsOf(engine, dying.id);
process.stdout.write(`${JSON.stringify({ web: web.id, client: client.id, plain: plain.id, dying: dying.id, dyingEndpoint, dyingVeths, port })}\n`);
// Idle until killed.
setInterval(() => undefined, 60_000);
