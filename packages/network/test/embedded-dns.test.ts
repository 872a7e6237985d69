import { createSocket } from 'node:dgram';
import {
  createMemoryIpamStore,
  createMemoryNetworkStore,
  decodeDnsMessage,
  DNS_RCODE,
  DNS_TYPE,
  dnsQuery,
  EMBEDDED_DNS_CHAIN,
  embeddedDnsRules,
  encodeDnsMessage,
  Ipam,
  MemoryNetworkDriver,
  NetworkController,
  PortAllocator,
  resolveForClient,
  startDnsServer,
  type DnsMessage,
  type Network,
} from '@berth/network';
import { RecordingHostNet } from '@berth/network/testing';
import { randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';

/** The memory driver, claiming a DNS server on each gateway as the bridge driver does. */
class GatewayDnsMemoryDriver extends MemoryNetworkDriver {
  override readonly capabilities = { ipam: true, portPublishing: true, gatewayDns: true, multipleNetworks: true };
}

/** Asks `server` from the local address `from` over UDP: the server sees `from` as the client. */
function askFrom(from: string, server: { host: string; port: number }, message: DnsMessage): Promise<DnsMessage> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.once('message', (reply) => {
      socket.close();
      resolve(decodeDnsMessage(reply));
    });
    socket.bind(0, from, () => socket.send(encodeDnsMessage(message), server.port, server.host));
  });
}

function network(id: string, endpoints: Array<[string, string, string[]?]>): Network {
  return {
    id,
    name: id,
    driver: 'bridge',
    scope: 'local',
    created: '2026-01-01T00:00:00.000Z',
    internal: false,
    attachable: true,
    enableIpv6: false,
    ipam: { driver: 'default', config: [] },
    labels: {},
    options: {},
    containers: Object.fromEntries(
      endpoints.map(([container, address, aliases]) => [
        container,
        { endpointId: `${id}-${container}`, containerId: container, containerName: container, aliases: aliases ?? [], ipv4Address: `${address}/24`, ports: [] },
      ]),
    ),
  };
}

describe('resolveForClient', () => {
  // "both" is on A and B; "a1" only on A, "b1" only on B, "c1" only on C.
  const a = network('A', [
    ['both', '10.1.0.2', ['shared']],
    ['a1', '10.1.0.3'],
  ]);
  const b = network('B', [
    ['both', '10.2.0.2'],
    ['b1', '10.2.0.3', ['shared']],
  ]);
  const c = network('C', [['c1', '10.3.0.2']]);
  const all = [a, b, c];

  it('answers a container on two networks with names of both, whichever listener it asked', () => {
    for (const [arrived, client] of [
      [a, '10.1.0.2'],
      [b, '10.2.0.2'],
    ] as const) {
      expect(resolveForClient(all, arrived, client, 'a1', 4)).toEqual(['10.1.0.3']);
      expect(resolveForClient(all, arrived, client, 'b1', 4)).toEqual(['10.2.0.3']);
    }
  });

  it('does not answer names of a network the asking container is not on', () => {
    expect(resolveForClient(all, a, '10.1.0.2', 'c1', 4)).toBeUndefined();
    expect(resolveForClient(all, a, '10.1.0.3', 'b1', 4)).toBeUndefined();
    // A container on C that reaches A's listener still gets only C's names.
    expect(resolveForClient(all, a, '10.3.0.2', 'a1', 4)).toBeUndefined();
    expect(resolveForClient(all, a, '10.3.0.2', 'c1', 4)).toEqual(['10.3.0.2']);
  });

  it('prefers the network the query arrived on for a name on several', () => {
    expect(resolveForClient(all, a, '10.1.0.2', 'shared', 4)).toEqual(['10.1.0.2']);
    expect(resolveForClient(all, b, '10.2.0.2', 'shared', 4)).toEqual(['10.2.0.3']);
  });

  it('answers a client that is no container from the arrival network only', () => {
    expect(resolveForClient(all, a, '192.0.2.1', 'a1', 4)).toEqual(['10.1.0.3']);
    expect(resolveForClient(all, a, '192.0.2.1', 'b1', 4)).toBeUndefined();
  });

  it('knows a name without addresses of the family as an empty answer, and searches on for one with addresses', () => {
    expect(resolveForClient(all, a, '10.1.0.2', 'b1', 6)).toEqual([]);
    expect(resolveForClient(all, a, '10.1.0.2', 'nowhere', 6)).toBeUndefined();
  });
});

describe('embeddedDnsRules', () => {
  it('DNATs udp and tcp 53 of 127.0.0.11 to the listener; the OUTPUT jump only the first time', () => {
    const target = { host: '172.18.0.1', port: 53 };
    expect(embeddedDnsRules(target, { jump: true })).toBe(
      [
        '*nat',
        `:${EMBEDDED_DNS_CHAIN} - [0:0]`,
        `-A OUTPUT -d 127.0.0.11/32 -j ${EMBEDDED_DNS_CHAIN}`,
        `-A ${EMBEDDED_DNS_CHAIN} -p udp --dport 53 -j DNAT --to-destination 172.18.0.1:53`,
        `-A ${EMBEDDED_DNS_CHAIN} -p tcp --dport 53 -j DNAT --to-destination 172.18.0.1:53`,
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(embeddedDnsRules(target, { jump: false })).not.toContain('-A OUTPUT');
  });
});

describe('NetworkController embedded DNS', () => {
  const controllers: NetworkController[] = [];
  afterEach(async () => {
    for (const controller of controllers.splice(0)) await controller.close();
  });

  // Subnets in 127/8: every address there is local, so the servers bind to the "gateways" and
  // the test asks from the "containers'" addresses without root.
  const base = `127.${randomInt(100, 250)}`;
  const subnetOf = (index: number) => `${base}.${index}.0/24`;
  const addressOf = (index: number, host: number) => `${base}.${index}.${host}`;

  async function open(options: { hostNet?: RecordingHostNet; upstreams?: string[] } = {}) {
    const hostNet = options.hostNet ?? new RecordingHostNet();
    const driver = new GatewayDnsMemoryDriver({ type: 'bridge' });
    const controller = await NetworkController.open({
      drivers: [driver],
      ipam: await Ipam.open(createMemoryIpamStore()),
      store: createMemoryNetworkStore(),
      ports: new PortAllocator({ ephemeralRange: [50000, 50100], random: () => 0 }),
      dns: { upstreams: options.upstreams ?? [], port: 0, hostNet },
    });
    controllers.push(controller);
    for (const index of [1, 2, 3]) await controller.createNetwork({ name: `net${index}`, ipam: { config: [{ subnet: subnetOf(index) }] } });
    for (const path of ['/ns/both', '/ns/one', '/ns/three']) await hostNet.createNetns(path);
    const connect = (net: number, name: string, aliases: string[] = []) =>
      controller.connect(`net${net}`, { containerId: name.padEnd(64, '0'), containerName: name, netnsPath: `/ns/${name}`, aliases });
    return { controller, hostNet, driver, connect };
  }

  it('answers a container on two networks names of both from either listener, and nothing of a third', async () => {
    const { controller, connect } = await open();
    const both1 = await connect(1, 'both');
    const both2 = await connect(2, 'both');
    const one = await connect(1, 'one', ['uno']);
    const three = await connect(3, 'three');
    const strip = (cidr: string | undefined) => cidr?.replace(/\/\d+$/, '') ?? '';
    for (const [net, from] of [
      [1, strip(both1.ipv4Address)],
      [2, strip(both2.ipv4Address)],
    ] as const) {
      const listener = controller.dnsListenerOf(`net${net}`)!;
      const uno = await askFrom(from, listener, dnsQuery(1, 'uno', DNS_TYPE.A));
      expect(uno.answers.map((answer) => answer.data)).toEqual([strip(one.ipv4Address)]);
      const missing = await askFrom(from, listener, dnsQuery(2, 'three', DNS_TYPE.A));
      // Not a name of its networks: forwarded, and no upstream answers.
      expect(missing).toMatchObject({ rcode: DNS_RCODE.SERVFAIL, answers: [] });
    }
    // "one" is only on net1: "both"'s name on net2 resolves to its net1 address for it.
    const fromOne = await askFrom(strip(one.ipv4Address), controller.dnsListenerOf('net1')!, dnsQuery(3, 'both', DNS_TYPE.A));
    expect(fromOne.answers.map((answer) => answer.data)).toEqual([strip(both1.ipv4Address)]);
    const fromThree = await askFrom(strip(three.ipv4Address), controller.dnsListenerOf('net3')!, dnsQuery(4, 'uno', DNS_TYPE.A));
    expect(fromThree.rcode).toBe(DNS_RCODE.SERVFAIL);
  });

  it('points 127.0.0.11 of a container at its first network with DNS, once, in its namespace only', async () => {
    const { controller, hostNet, connect } = await open();
    const hostChains = hostNet.chains();
    const first = await connect(1, 'both');
    await connect(2, 'both');
    const listener = controller.dnsListenerOf('net1')!;
    expect(controller.dnsServerOf('net1')).toEqual({ host: '127.0.0.11', port: 53 });
    expect(hostNet.callsOf('restoreIptables')).toHaveLength(1);
    expect(hostNet.callsOf('replaceLocalRoute')).toHaveLength(1);
    expect(hostNet.localRoutes('/ns/both')).toEqual([{ netns: '/ns/both', address: '127.0.0.11', source: first.ipv4Address?.replace(/\/\d+$/, '') }]);
    const inside = hostNet.chains('/ns/both');
    expect(inside.get('nat|OUTPUT')).toEqual([['-d', '127.0.0.11/32', '-j', EMBEDDED_DNS_CHAIN]]);
    expect(inside.get(`nat|${EMBEDDED_DNS_CHAIN}`)).toEqual([
      ['-p', 'udp', '--dport', '53', '-j', 'DNAT', '--to-destination', `${listener.host}:${listener.port}`],
      ['-p', 'tcp', '--dport', '53', '-j', 'DNAT', '--to-destination', `${listener.host}:${listener.port}`],
    ]);
    // Nothing on the host.
    expect(hostNet.chains()).toEqual(hostChains);
    expect(hostNet.localRoutes('')).toEqual([]);
  });

  it('re-points 127.0.0.11 at the next network with DNS when the container leaves the one it pointed at', async () => {
    const { controller, hostNet, connect } = await open();
    await connect(1, 'both');
    const second = await connect(2, 'both');
    await controller.disconnect('net1', 'both'.padEnd(64, '0'));
    const listener = controller.dnsListenerOf('net2')!;
    expect(hostNet.localRoutes('/ns/both')).toEqual([{ netns: '/ns/both', address: '127.0.0.11', source: second.ipv4Address?.replace(/\/\d+$/, '') }]);
    const inside = hostNet.chains('/ns/both');
    // Re-pointing refills the chain and leaves the single jump into it.
    expect(inside.get('nat|OUTPUT')).toHaveLength(1);
    expect(inside.get(`nat|${EMBEDDED_DNS_CHAIN}`)?.map((rule) => rule.at(-1))).toEqual([`${listener.host}:${listener.port}`, `${listener.host}:${listener.port}`]);
    // Leaving the last network with DNS touches nothing more.
    const calls = hostNet.calls.length;
    await controller.disconnect('net2', 'both'.padEnd(64, '0'));
    expect(hostNet.calls.length).toBe(calls);
  });

  it('still re-points 127.0.0.11 after the controller is reopened on the same stores (an engine restart)', async () => {
    const hostNet = new RecordingHostNet();
    const store = createMemoryNetworkStore();
    const ipamStore = createMemoryIpamStore();
    const reopen = async () => {
      const controller = await NetworkController.open({
        drivers: [new GatewayDnsMemoryDriver({ type: 'bridge' })],
        ipam: await Ipam.open(ipamStore),
        store,
        ports: new PortAllocator({ ephemeralRange: [50000, 50100], random: () => 0 }),
        dns: { upstreams: [], port: 0, hostNet },
      });
      controllers.push(controller);
      return controller;
    };
    const before = await reopen();
    for (const index of [1, 2]) await before.createNetwork({ name: `net${index}`, ipam: { config: [{ subnet: subnetOf(index) }] } });
    await hostNet.createNetns('/ns/both');
    const id = 'both'.padEnd(64, '0');
    for (const index of [1, 2]) await before.connect(`net${index}`, { containerId: id, containerName: 'both', netnsPath: '/ns/both' });
    await before.close();

    const after = await reopen();
    await after.disconnect('net1', id);
    const second = after.inspectNetwork('net2').containers[id]!;
    const listener = after.dnsListenerOf('net2')!;
    expect(hostNet.localRoutes('/ns/both')).toEqual([{ netns: '/ns/both', address: '127.0.0.11', source: second.ipv4Address?.replace(/\/\d+$/, '') }]);
    expect(hostNet.chains('/ns/both').get(`nat|${EMBEDDED_DNS_CHAIN}`)?.map((rule) => rule.at(-1))).toEqual([`${listener.host}:${listener.port}`, `${listener.host}:${listener.port}`]);
    // The pointing moved with it, and survives the next reopen too.
    expect(second.embeddedDnsNetns).toBe('/ns/both');
    expect((await store.load()).find((network) => network.name === 'net2')?.containers[id]?.embeddedDnsNetns).toBe('/ns/both');
  });

  it('undoes the endpoint when pointing 127.0.0.11 fails, so the connect changes nothing', async () => {
    const { controller, hostNet, driver, connect } = await open();
    hostNet.failOn('restoreIptables', new Error('iptables-restore: no nat table'));
    await expect(connect(1, 'both')).rejects.toThrow('no nat table');
    expect(controller.inspectNetwork('net1').containers).toEqual({});
    expect(driver.endpoints(controller.inspectNetwork('net1').id)).toEqual([]);
    const again = await connect(1, 'both');
    expect(again.ipv4Address).toBe(`${addressOf(1, 2)}/24`);
  });

  it('answers a container at the gateway when the controller does not point namespaces', async () => {
    const controller = await NetworkController.open({
      drivers: [new GatewayDnsMemoryDriver({ type: 'bridge' })],
      ipam: await Ipam.open(createMemoryIpamStore()),
      store: createMemoryNetworkStore(),
      ports: new PortAllocator({ ephemeralRange: [50000, 50100], random: () => 0 }),
      dns: { upstreams: [], port: 0 },
    });
    controllers.push(controller);
    await controller.createNetwork({ name: 'plain', ipam: { config: [{ subnet: subnetOf(9) }] } });
    expect(controller.dnsServerOf('plain')).toEqual(controller.dnsListenerOf('plain'));
    expect(controller.dnsListenerOf('plain')?.host).toBe(addressOf(9, 1));
  });

  it('forwards names of no network to the upstreams', async () => {
    const upstream = await startDnsServer({ host: '127.0.0.1', port: 0, upstreams: [], resolve: (name) => (name === 'example.test' ? ['192.0.2.9'] : undefined) });
    try {
      const { controller, connect } = await open({ upstreams: [`127.0.0.1:${upstream.port}`] });
      const both = await connect(1, 'both');
      const answer = await askFrom(both.ipv4Address!.replace(/\/\d+$/, ''), controller.dnsListenerOf('net1')!, dnsQuery(5, 'example.test', DNS_TYPE.A));
      expect(answer.answers.map((record) => record.data)).toEqual(['192.0.2.9']);
    } finally {
      await upstream.close();
    }
  });
});
