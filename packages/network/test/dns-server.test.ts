import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import {
  decodeDnsMessage,
  DNS_RCODE,
  DNS_TYPE,
  dnsQuery,
  encodeDnsMessage,
  resolveOnNetwork,
  startDnsServer,
  type DnsMessage,
  type DnsServer,
  type Network,
} from '@berth/network';
import { afterEach, describe, expect, it } from 'vitest';

function udpAsk(port: number, message: DnsMessage): Promise<DnsMessage> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.once('message', (reply) => {
      socket.close();
      resolve(decodeDnsMessage(reply));
    });
    socket.send(encodeDnsMessage(message), port, '127.0.0.1');
  });
}

function tcpAsk(port: number, message: DnsMessage): Promise<DnsMessage> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const body = encodeDnsMessage(message);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(body.length);
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.destroy();
        resolve(decodeDnsMessage(received.subarray(2, 2 + received.readUInt16BE(0))));
      }
    });
    socket.write(Buffer.concat([length, body]));
  });
}

const network: Network = {
  id: 'n'.repeat(64),
  name: 'appnet',
  driver: 'bridge',
  scope: 'local',
  created: '2026-01-01T00:00:00.000Z',
  internal: false,
  attachable: true,
  enableIpv6: true,
  ipam: { driver: 'default', config: [{ subnet: '172.18.0.0/16', gateway: '172.18.0.1' }] },
  labels: {},
  options: {},
  containers: {
    ['a'.repeat(64)]: {
      endpointId: 'e1',
      containerId: `abcdef123456${'0'.repeat(52)}`,
      containerName: 'web',
      aliases: ['frontend'],
      ipv4Address: '172.18.0.2/16',
      ipv6Address: 'fd00::2/64',
      ports: [],
    },
    ['b'.repeat(64)]: { endpointId: 'e2', containerId: 'b'.repeat(64), containerName: 'db', aliases: ['frontend'], ipv4Address: '172.18.0.3/16', ports: [] },
  },
};

describe('resolveOnNetwork', () => {
  it('resolves names, aliases (all holders) and short ids, case-insensitively', () => {
    expect(resolveOnNetwork(network, 'WEB.', 4)).toEqual(['172.18.0.2']);
    expect(resolveOnNetwork(network, 'frontend', 4)).toEqual(['172.18.0.2', '172.18.0.3']);
    expect(resolveOnNetwork(network, 'abcdef123456', 6)).toEqual(['fd00::2']);
    expect(resolveOnNetwork(network, 'db', 6)).toEqual([]);
    expect(resolveOnNetwork(network, 'example.com', 4)).toBeUndefined();
  });
});

describe('embedded DNS server', () => {
  const servers: DnsServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  async function start(options: Partial<Parameters<typeof startDnsServer>[0]> = {}): Promise<DnsServer> {
    const server = await startDnsServer({
      host: '127.0.0.1',
      port: 0,
      upstreams: [],
      resolve: (name, family) => resolveOnNetwork(network, name, family),
      upstreamTimeoutMs: 500,
      ...options,
    });
    servers.push(server);
    return server;
  }

  it('answers A and AAAA for local names over UDP and TCP', async () => {
    const server = await start();
    const udp = await udpAsk(server.port, dnsQuery(11, 'web', DNS_TYPE.A));
    expect(udp).toMatchObject({ id: 11, response: true, rcode: DNS_RCODE.NOERROR });
    expect(udp.answers.map((a) => a.data)).toEqual(['172.18.0.2']);
    const tcp = await tcpAsk(server.port, dnsQuery(12, 'web', DNS_TYPE.AAAA));
    expect(tcp.answers.map((a) => a.data)).toEqual(['fd00::2']);
    const empty = await udpAsk(server.port, dnsQuery(13, 'db', DNS_TYPE.AAAA));
    expect(empty).toMatchObject({ rcode: DNS_RCODE.NOERROR, answers: [] });
  });

  it('forwards other names to the upstream and relays its answer', async () => {
    const upstream = await start({ resolve: (name) => (name === 'example.com' ? ['93.184.216.34'] : undefined) });
    const server = await start({ upstreams: [`127.0.0.1:${upstream.port}`] });
    const answer = await udpAsk(server.port, dnsQuery(21, 'example.com', DNS_TYPE.A));
    expect(answer.id).toBe(21);
    expect(answer.answers.map((a) => a.data)).toEqual(['93.184.216.34']);
  });

  it('answers SERVFAIL when no upstream answers', async () => {
    const server = await start({ upstreams: ['127.0.0.1:9'] });
    const answer = await udpAsk(server.port, dnsQuery(31, 'nowhere.invalid', DNS_TYPE.A));
    expect(answer).toMatchObject({ id: 31, rcode: DNS_RCODE.SERVFAIL });
  });
});
