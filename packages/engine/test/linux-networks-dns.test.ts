import { describeIntegration } from '@berth/testkit';
import { decodeDnsMessage, dnsQuery, DNS_TYPE, encodeDnsMessage, startDnsServer, type DnsServer } from '@berth/network';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '@berth/engine';
import {
  type BridgeEngineFixture,
  addressOn,
  execIn,
  iptablesLinesContaining,
  leftovers,
  openBridgeEngine,
  expectPingReaches,
  run,
} from './support/linux-net-fixture.js';

/** A DNS query over TCP as a busybox `printf` argument (octal escapes), 2-byte length first. */
function tcpQueryPrintf(name: string): string {
  const body = encodeDnsMessage(dnsQuery(7, name, DNS_TYPE.A));
  const framed = Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
  return [...framed].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
}

// Docker's embedded DNS address with real containers: resolv.conf names 127.0.0.11 (with
// ndots:0) on user-defined networks, the host's resolvers on the default bridge; 127.0.0.11
// answers over UDP and TCP for every network of the asking container and no other; other
// names are forwarded (to a stand-in upstream on the host's loopback); nothing of it is on the host.
describeIntegration(
  'linux engine: embedded DNS at 127.0.0.11',
  { root: true, commands: ['runc', 'conmon', 'iptables', 'iptables-save', 'iptables-restore', 'ip', 'nsenter', 'unshare', 'busybox'] },
  () => {
    let fixture: BridgeEngineFixture;
    let engine: Engine;
    let upstream: DnsServer;
    let tag = '';
    const net = (letter: string) => `bt-dns${letter}-${tag}`;
    let onA = '';
    let onB = '';
    let onC = '';
    let onAB = '';
    let onDefault = '';

    const startSleeper = async (name: string, network: string, aliases: string[] = []) => {
      const { id } = await engine.containers.create({
        image: 'busybox',
        name,
        cmd: ['sleep', '1000'],
        networkMode: network,
        ...(network === 'bridge' ? {} : { networks: { [network]: { aliases } } }),
      });
      await engine.containers.start(id);
      await fixture.track(id);
      return id;
    };

    beforeAll(async () => {
      // The host's resolver stand-in, on the host's loopback: only the embedded DNS (host
      // namespace) can reach it, so an answer from it inside a container was forwarded.
      upstream = await startDnsServer({
        host: '127.0.0.1',
        port: 0,
        upstreams: [],
        resolve: (name, family) => (name.startsWith('outside-') ? (family === 4 ? ['192.0.2.55'] : []) : undefined),
      });
      fixture = await openBridgeEngine(undefined, { dnsUpstreams: [`127.0.0.1:${upstream.port}`] });
      ({ engine, tag } = fixture);
      for (const [index, letter] of ['a', 'b', 'c'].entries()) {
        await engine.networks.create({
          name: net(letter),
          ipam: { config: [{ subnet: fixture.subnet(index + 2) }] },
          options: { 'com.docker.network.bridge.name': `bt${tag}${letter}` },
        });
      }
      onA = await startSleeper(`on-a-${tag}`, net('a'), [`alias-a-${tag}`]);
      onB = await startSleeper(`on-b-${tag}`, net('b'), [`alias-b-${tag}`]);
      onC = await startSleeper(`on-c-${tag}`, net('c'));
      onAB = await startSleeper(`on-ab-${tag}`, net('a'));
      await engine.networks.connect(net('b'), onAB);
      await fixture.track(onAB);
      onDefault = await startSleeper(`on-default-${tag}`, 'bridge');
    }, 120_000);

    afterAll(async () => {
      try {
        if (fixture) {
          await fixture.dispose();
          expect(await leftovers(fixture)).toEqual({ links: [], iptables: [], mounts: [] });
        }
      } finally {
        await upstream?.close();
      }
    }, 60_000);

    it("writes docker's resolv.conf on user networks, and the host's resolvers on the default bridge", async () => {
      const onUser = await execIn(engine, onA, ['cat', '/etc/resolv.conf']);
      const lines = onUser.output.split('\n');
      expect(lines.filter((line) => line.startsWith('nameserver'))).toEqual(['nameserver 127.0.0.11']);
      expect(lines.find((line) => line.startsWith('options'))?.split(/\s+/)).toContain('ndots:0');
      const onBridge = (await execIn(engine, onDefault, ['cat', '/etc/resolv.conf'])).output;
      expect(onBridge).toMatch(/^nameserver /m);
      expect(onBridge).not.toContain('127.0.0.11');
      expect(onBridge).not.toContain('ndots:0');
    });

    it('answers names and aliases at 127.0.0.11 and through the resolver (nslookup, ping)', async () => {
      const address = await addressOn(engine, onB, net('b'));
      for (const name of [`on-b-${tag}`, `alias-b-${tag}`, onB.slice(0, 12)]) {
        const direct = await execIn(engine, onAB, ['nslookup', name, '127.0.0.11']);
        expect(direct.exitCode).toBe(0);
        expect(direct.output).toContain(address);
        const plain = await execIn(engine, onB, ['nslookup', name]);
        expect(plain.output).toContain('127.0.0.11');
        expect(plain.output).toContain(address);
      }
      await expectPingReaches(engine, onAB, `on-b-${tag}`);
    });

    it('answers over TCP too', async () => {
      const address = await addressOn(engine, onA, net('a'));
      const script = `printf '${tcpQueryPrintf(`alias-a-${tag}`)}' | timeout 3 nc 127.0.0.11 53 | od -An -v -tx1`;
      const result = await execIn(engine, onAB, ['sh', '-c', script]);
      const bytes = Buffer.from(result.output.replace(/\s+/g, ''), 'hex');
      expect(bytes.length).toBeGreaterThan(2);
      const answer = decodeDnsMessage(bytes.subarray(2, 2 + bytes.readUInt16BE(0)));
      expect(answer.id).toBe(7);
      expect(answer.answers.map((record) => record.data)).toEqual([address]);
    });

    it('resolves for a container on two networks the names of both, and none of a network it is not on', async () => {
      const addressA = await addressOn(engine, onA, net('a'));
      const addressB = await addressOn(engine, onB, net('b'));
      for (const [name, address] of [
        [`on-a-${tag}`, addressA],
        [`alias-a-${tag}`, addressA],
        [`on-b-${tag}`, addressB],
        [`alias-b-${tag}`, addressB],
      ] as const) {
        const lookup = await execIn(engine, onAB, ['nslookup', name]);
        expect(lookup.exitCode).toBe(0);
        expect(lookup.output).toContain(address);
      }
      const elsewhere = await execIn(engine, onAB, ['timeout', '5', 'nslookup', `on-c-${tag}`]);
      expect(elsewhere.output).not.toContain(await addressOn(engine, onC, net('c')));
      expect(elsewhere.exitCode).not.toBe(0);
      // A container only on A does not resolve B's names.
      expect((await execIn(engine, onA, ['timeout', '5', 'nslookup', `on-b-${tag}`])).exitCode).not.toBe(0);
    });

    it('forwards other names to the upstream resolvers', async () => {
      const lookup = await execIn(engine, onC, ['nslookup', `outside-${tag}.test`]);
      expect(lookup.exitCode).toBe(0);
      expect(lookup.output).toContain('192.0.2.55');
    });

    it("forwards a container's other names to its own --dns servers, as docker's resolver does", async () => {
      // A second stand-in on its own loopback address and port 53 (where --dns servers listen).
      const own = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
      const ownServer = await startDnsServer({
        host: own,
        port: 53,
        upstreams: [],
        resolve: (name, family) => (name.startsWith('outside-') ? (family === 4 ? ['192.0.2.66'] : []) : undefined),
      });
      try {
        const { id } = await engine.containers.create({ image: 'busybox', name: `own-dns-${tag}`, cmd: ['sleep', '1000'], networkMode: net('c'), dns: [own] });
        await engine.containers.start(id);
        await fixture.track(id);
        expect((await execIn(engine, id, ['cat', '/etc/resolv.conf'])).output).toMatch(/^nameserver 127\.0\.0\.11$/m);
        const lookup = await execIn(engine, id, ['nslookup', `outside-${tag}.test`]);
        expect(lookup.output).toContain('192.0.2.66');
        // Names of the network are still the embedded DNS's own.
        expect((await execIn(engine, id, ['nslookup', `on-c-${tag}`])).output).toContain(await addressOn(engine, onC, net('c')));
        // Other containers keep the host's resolvers behind 127.0.0.11.
        expect((await execIn(engine, onC, ['nslookup', `outside-${tag}.test`])).output).toContain('192.0.2.55');
        await engine.containers.remove(id, { force: true });
      } finally {
        await ownServer.close();
      }
    });

    it('keeps answering a container that leaves the network its 127.0.0.11 pointed at', async () => {
      const roamer = await startSleeper(`roamer-${tag}`, net('a'));
      await engine.networks.connect(net('c'), roamer);
      await engine.networks.disconnect(net('a'), roamer);
      const lookup = await execIn(engine, roamer, ['nslookup', `on-c-${tag}`]);
      expect(lookup.exitCode).toBe(0);
      expect(lookup.output).toContain(await addressOn(engine, onC, net('c')));
      expect((await execIn(engine, roamer, ['timeout', '5', 'nslookup', `on-a-${tag}`])).exitCode).not.toBe(0);
    });

    it('answers on an internal network too', async () => {
      await engine.networks.create({
        name: net('i'),
        internal: true,
        ipam: { config: [{ subnet: fixture.subnet(5) }] },
        options: { 'com.docker.network.bridge.name': `bt${tag}i` },
      });
      const first = await startSleeper(`inside-1-${tag}`, net('i'));
      const second = await startSleeper(`inside-2-${tag}`, net('i'));
      const lookup = await execIn(engine, second, ['nslookup', `inside-1-${tag}`]);
      expect(lookup.exitCode).toBe(0);
      expect(lookup.output).toContain(await addressOn(engine, first, net('i')));
    });

    it('changes nothing on the host: the rules live in the containers namespaces', async () => {
      expect(await iptablesLinesContaining('127.0.0.11')).toEqual([]);
      expect(await run('ip', ['route', 'show', 'table', 'local', '127.0.0.11'])).toBe('');
      const sandbox = (await engine.containers.inspect(onA)).networkSettings.sandboxKey;
      const inside = await run('nsenter', [`--net=${sandbox}`, 'iptables-save', '-t', 'nat']);
      expect(inside).toContain('127.0.0.11');
    });
  },
);
