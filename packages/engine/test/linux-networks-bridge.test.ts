import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { describeIntegration, withForwardPolicy } from '@berth/testkit';
import { tarOf } from '@berth/image/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '@berth/engine';
import {
  type BridgeEngineFixture,
  addressOn,
  eventually,
  execIn,
  fetchIn,
  inNetns,
  leftovers,
  openBridgeEngine,
  pingsFrom,
  expectPingReaches,
  run,
} from './support/linux-net-fixture.js';

// Docker-observable networking of the real engine (runc, bridge driver, iptables) with busybox
// containers: names and aliases on user networks, IP-only default bridge, published ports from
// the host, another host and another container, internal networks, `none`, `host`,
// connect/disconnect of a running container, a FORWARD policy of DROP, and no leftovers.
describeIntegration(
  'linux engine networking with real containers',
  { root: true, commands: ['runc', 'conmon', 'iptables', 'iptables-save', 'ip', 'nsenter', 'unshare', 'busybox'] },
  () => {
    let fixture: BridgeEngineFixture;
    let engine: Engine;
    let tag = '';
    let userNet = '';
    let web = '';
    let client = '';
    const page = () => `hello from web ${tag}\n`;
    // The "other host": a namespace joined to the host by a veth pair on 10.<x>.250.0/30.
    const outsideNs = () => `${fixture.stateRoot}/outside-ns`;
    const outsideLink = () => `bto${tag}`;
    const outsideHostAddress = () => `${fixture.subnetBase}.250.1`;
    const outsideAddress = () => `${fixture.subnetBase}.250.2`;
    const gatewayOf = (index: number) => `${fixture.subnetBase}.${index}.1`;

    const startSleeper = async (options: { name?: string; networkMode?: string; aliases?: string[] } = {}) => {
      const { id } = await engine.containers.create({
        image: 'busybox',
        cmd: ['sleep', '1000'],
        ...(options.name ? { name: options.name } : {}),
        ...(options.networkMode ? { networkMode: options.networkMode } : {}),
        ...(options.aliases && options.networkMode ? { networks: { [options.networkMode]: { aliases: options.aliases } } } : {}),
      });
      await engine.containers.start(id);
      await fixture.track(id);
      return id;
    };

    const hostPortOf = async (port: string, hostIp: string): Promise<number> => {
      const bindings = (await engine.containers.inspect(web)).networkSettings.ports[port] ?? [];
      return bindings.find((binding) => binding.hostIp === hostIp)?.hostPort ?? 0;
    };

    beforeAll(async () => {
      fixture = await openBridgeEngine();
      ({ engine, tag } = fixture);
      userNet = `bt-net-${tag}`;
      await engine.networks.create({
        name: userNet,
        ipam: { config: [{ subnet: fixture.subnet(2) }] },
        options: { 'com.docker.network.bridge.name': `bt${tag}u` },
      });
      const created = await engine.containers.create({
        image: 'busybox',
        name: `web-${tag}`,
        cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
        networkMode: userNet,
        networks: { [userNet]: { aliases: [`frontend-${tag}`] } },
        portBindings: {
          '80/tcp': [{ hostIp: '127.0.0.1', hostPort: '' }, { hostIp: '0.0.0.0', hostPort: '' }],
          '7/udp': [{ hostIp: '127.0.0.1', hostPort: '' }],
        },
      });
      web = created.id;
      await engine.containers.putArchive(web, '/', tarOf([{ type: 'dir', path: 'www' }, { type: 'file', path: 'www/index.html', content: page() }])());
      await engine.containers.start(web);
      await fixture.track(web);
      client = await startSleeper({ name: `client-${tag}`, networkMode: userNet });
      expect(await eventually(async () => (await fetchIn(engine, client, `http://web-${tag}/`)) !== undefined)).toBe(true);

      const { hostNet } = fixture;
      await hostNet.createNetns(outsideNs());
      await hostNet.addVethPair(outsideLink(), `btp${tag}`);
      await hostNet.moveLinkToNetns(`btp${tag}`, outsideNs());
      await hostNet.addAddress(outsideLink(), `${outsideHostAddress()}/30`);
      await hostNet.setLinkUp(outsideLink());
      await hostNet.addAddress(`btp${tag}`, `${outsideAddress()}/30`, outsideNs());
      await hostNet.setLinkUp(`btp${tag}`, outsideNs());
      await hostNet.addDefaultRoute(outsideHostAddress(), `btp${tag}`, outsideNs());
    }, 60_000);

    afterAll(async () => {
      if (!fixture) return;
      if (await fixture.hostNet.linkExists(outsideLink()).catch(() => false)) await fixture.hostNet.deleteLink(outsideLink());
      await fixture.hostNet.deleteNetns(outsideNs()).catch(() => undefined);
      await fixture.dispose();
    }, 60_000);

    it('lets two containers on a user network reach each other by name and by alias', async () => {
      const webAddress = await addressOn(engine, web, userNet);
      for (const name of [`web-${tag}`, `frontend-${tag}`]) {
        await expectPingReaches(engine, client, name);
        const lookup = await execIn(engine, client, ['nslookup', name]);
        expect(lookup.exitCode).toBe(0);
        expect(lookup.output).toContain(webAddress);
        expect(await fetchIn(engine, client, `http://${name}/`)).toBe(page());
      }
      const missing = await execIn(engine, client, ['timeout', '5', 'nslookup', `no-such-${tag}`]);
      expect(missing.exitCode).not.toBe(0);
    });

    it('lets containers on the default bridge reach each other by IP only', async () => {
      const first = await startSleeper({ name: `first-${tag}` });
      const second = await startSleeper({ name: `second-${tag}` });
      await expectPingReaches(engine, second, await addressOn(engine, first, 'bridge'));
      // No embedded DNS on the default bridge: the name goes to the host's resolvers and fails
      // (quickly with "bad address", or by the timeout where no resolver answers).
      const byName = await execIn(engine, second, ['timeout', '5', 'ping', '-c', '1', '-W', '1', `first-${tag}`]);
      expect(byName.exitCode).not.toBe(0);
      expect(byName.output).not.toContain('bytes from');
      expect((await execIn(engine, second, ['cat', '/etc/hosts'])).output).not.toContain(`first-${tag}`);
    });

    it('publishes a random host port on 127.0.0.1, reported by inspect and answered on the host', async () => {
      const port = await hostPortOf('80/tcp', '127.0.0.1');
      expect(port).toBeGreaterThan(0);
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(await response.text()).toBe(page());
    });

    it('answers a port published on all addresses to another host and to other containers', async () => {
      const port = await hostPortOf('80/tcp', '0.0.0.0');
      expect(port).toBeGreaterThan(0);
      const url = `http://${outsideHostAddress()}:${port}/`;
      expect(await inNetns(outsideNs(), ['busybox', 'wget', '-q', '-O', '-', url], { timeoutMs: 5000 })).toBe(page());
      // Another container on the same network, through the host port on its gateway.
      expect(await fetchIn(engine, client, `http://${gatewayOf(2)}:${port}/`)).toBe(page());
      // A container on another network (the default bridge), through a host address.
      const other = await startSleeper();
      expect(await fetchIn(engine, other, url)).toBe(page());
      // The 127.0.0.1-only binding is not reachable from the other host.
      const localOnly = await hostPortOf('80/tcp', '127.0.0.1');
      await expect(
        inNetns(outsideNs(), ['busybox', 'wget', '-q', '-O', '-', `http://${outsideHostAddress()}:${localOnly}/`], { timeoutMs: 3000 }),
      ).rejects.toThrow();
    });

    // busybox's nc has no -u and the applets include no UDP server, so the container cannot
    // answer: the datagram's arrival is seen in the container's own UDP counters instead
    // (`NoPorts` of /proc/net/snmp counts datagrams that reached the namespace on a port
    // nobody listens on).
    it('forwards datagrams to a published udp port into the container', async () => {
      const port = await hostPortOf('7/udp', '127.0.0.1');
      expect(port).toBeGreaterThan(0);
      const noPorts = async () => {
        const snmp = (await execIn(engine, web, ['cat', '/proc/net/snmp'])).output.split('\n').filter((line) => line.startsWith('Udp:'));
        const [header, values] = snmp.map((line) => line.trim().split(/\s+/));
        return Number(values?.[header?.indexOf('NoPorts') ?? -1] ?? Number.NaN);
      };
      const before = await noPorts();
      expect(Number.isFinite(before)).toBe(true);
      const socket = createSocket('udp4');
      socket.on('error', () => undefined); // ICMP port unreachable coming back
      try {
        const arrived = await eventually(async () => {
          await new Promise<void>((resolve) => socket.send(`ping ${tag}`, port, '127.0.0.1', () => resolve()));
          return (await noPorts()) > before;
        }, 20);
        expect(arrived).toBe(true);
      } finally {
        socket.close();
      }
    });

    // Both ways: an echo server bound inside the container's network namespace (a host node
    // process entered into it with nsenter, as busybox has no UDP server) answers a datagram
    // sent to the published port, so the reply finds its way back through the NAT.
    it('answers through a published udp port (both directions)', async () => {
      const port = await hostPortOf('7/udp', '127.0.0.1');
      const pid = (await engine.containers.inspect(web)).state.pid;
      expect(pid).toBeGreaterThan(0);
      const echo = spawn(
        'nsenter',
        ['-t', String(pid), '-n', process.execPath, '-e', "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('echo '+m,r.port,r.address));s.bind(7,()=>console.log('ready'))"],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const socket = createSocket('udp4');
      try {
        await new Promise<void>((resolve, reject) => {
          echo.stdout.once('data', () => resolve());
          echo.once('exit', (code) => reject(new Error(`udp echo server exited with ${code}`)));
        });
        const replies: string[] = [];
        socket.on('message', (message) => replies.push(message.toString()));
        socket.on('error', () => undefined);
        const answered = await eventually(async () => {
          await new Promise<void>((resolve) => socket.send(`hi ${tag}`, port, '127.0.0.1', () => resolve()));
          await new Promise((resolve) => setTimeout(resolve, 100));
          return replies.includes(`echo hi ${tag}`);
        }, 20);
        expect(answered).toBe(true);
      } finally {
        socket.close();
        echo.kill('SIGKILL');
      }
    });

    it('keeps an internal network inside its bridge', async () => {
      const internal = `bt-int-${tag}`;
      await engine.networks.create({
        name: internal,
        internal: true,
        ipam: { config: [{ subnet: fixture.subnet(3) }] },
        options: { 'com.docker.network.bridge.name': `bt${tag}i` },
      });
      const lonely = await startSleeper({ networkMode: internal });
      const peer = await startSleeper({ name: `peer-${tag}`, networkMode: internal });
      // Inside the bridge: the peer by name and the gateway answer.
      await expectPingReaches(engine, lonely, `peer-${tag}`);
      await expectPingReaches(engine, lonely, gatewayOf(3));
      // A container on a normal network reaches the other host; the internal one does not.
      await expectPingReaches(engine, client, outsideAddress());
      expect(await pingsFrom(engine, lonely, outsideAddress())).toBe(false);
      expect(await pingsFrom(engine, lonely, await addressOn(engine, web, userNet))).toBe(false);
      // Nor the published ports, through its gateway or another host address.
      expect(await fetchIn(engine, lonely, `http://${gatewayOf(3)}:${await hostPortOf('80/tcp', '127.0.0.1')}/`)).toBeUndefined();
      expect(await fetchIn(engine, lonely, `http://${outsideHostAddress()}:${await hostPortOf('80/tcp', '0.0.0.0')}/`)).toBeUndefined();
    });

    it('gives a container with network mode none only a loopback interface', async () => {
      const isolated = await startSleeper({ networkMode: 'none' });
      const links = await execIn(engine, isolated, ['ip', '-o', 'link', 'show']);
      expect(links.exitCode).toBe(0);
      const names = links.output
        .trim()
        .split('\n')
        .map((line) => line.split(':')[1]?.trim().replace(/@.*$/, ''));
      expect(names).toEqual(['lo']);
    });

    it("shows the host's interfaces to a container with network mode host", async () => {
      const onHost = await startSleeper({ networkMode: 'host' });
      const links = await execIn(engine, onHost, ['ip', '-o', 'link', 'show']);
      expect(links.exitCode).toBe(0);
      expect(links.output).toContain(outsideLink());
      expect(links.output).toContain(`bt${tag}u`);
    });

    it('connects a running container with an alias and a static address, and disconnects it', async () => {
      const extraNet = `bt-extra-${tag}`;
      await engine.networks.create({
        name: extraNet,
        ipam: { config: [{ subnet: fixture.subnet(4) }] },
        options: { 'com.docker.network.bridge.name': `bt${tag}x` },
      });
      const probe = await startSleeper({ networkMode: extraNet });
      const asked = `${fixture.subnetBase}.4.77`;
      await engine.networks.connect(extraNet, client, { aliases: [`extra-${tag}`], ipv4Address: asked });
      await fixture.track(client);
      expect(await addressOn(engine, client, extraNet)).toBe(asked);
      expect((await execIn(engine, client, ['ip', '-o', '-4', 'addr', 'show'])).output).toContain(`${asked}/24`);
      const lookup = await execIn(engine, probe, ['nslookup', `extra-${tag}`]);
      expect(lookup.exitCode).toBe(0);
      expect(lookup.output).toContain(asked);
      await expectPingReaches(engine, probe, `extra-${tag}`);

      await engine.networks.disconnect(extraNet, client);
      expect((await engine.containers.inspect(client)).networkSettings.networks[extraNet]).toBeUndefined();
      expect((await execIn(engine, client, ['ip', '-o', '-4', 'addr', 'show'])).output).not.toContain(asked);
      expect((await execIn(engine, probe, ['timeout', '5', 'nslookup', `extra-${tag}`])).exitCode).not.toBe(0);
      expect(await pingsFrom(engine, probe, asked)).toBe(false);
      // The container keeps its first network.
      expect(await fetchIn(engine, client, `http://web-${tag}/`)).toBe(page());
    });

    // Both states of the host's firewall: a FORWARD policy of ACCEPT (a plain host) and DROP
    // (what a dockerd leaves); the host's policy is always put back.
    it.each(['ACCEPT', 'DROP'])('keeps user networks and published ports working under a FORWARD policy of %s', async (wanted) => {
      await withForwardPolicy(wanted, async () => {
        await expectPingReaches(engine, client, `web-${tag}`);
        expect(await fetchIn(engine, client, `http://frontend-${tag}/`)).toBe(page());
        // Out of the network to another host.
        await expectPingReaches(engine, client, outsideAddress());
        expect(await (await fetch(`http://127.0.0.1:${await hostPortOf('80/tcp', '127.0.0.1')}/`)).text()).toBe(page());
        const url = `http://${outsideHostAddress()}:${await hostPortOf('80/tcp', '0.0.0.0')}/`;
        expect(await inNetns(outsideNs(), ['busybox', 'wget', '-q', '-O', '-', url], { timeoutMs: 5000 })).toBe(page());
      });
    });

    it('leaves no links, rules, chains, namespaces or mounts behind once everything is removed', async () => {
      await fixture.hostNet.deleteLink(outsideLink());
      await fixture.hostNet.deleteNetns(outsideNs());
      expect(fixture.veths.size).toBeGreaterThan(0);
      await fixture.dispose();
      expect(await leftovers(fixture)).toEqual({ links: [], iptables: [], mounts: [] });
    }, 60_000);
  },
);
