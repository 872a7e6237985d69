import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { DNS_CLASS_IN, DNS_RCODE, DNS_TYPE, decodeDnsMessage, encodeDnsMessage, type DnsMessage } from './dns-message.js';

/**
 * Answers names that are local: addresses, `[]` (known, no address of the family), or
 * undefined (not ours). `client` is the address the query came from (an IPv4-mapped IPv6
 * address in its IPv4 form), so the answer can depend on who asks.
 */
export type DnsNameResolver = (name: string, family: 4 | 6, client: string) => string[] | undefined;

/** Options of {@link startDnsServer}. */
export interface DnsServerOptions {
  /** Address to listen on (the network's gateway for the bridge driver). */
  host: string;
  /** Port for both UDP and TCP; 53 by default, 0 picks a free one (tests). */
  port?: number;
  resolve: DnsNameResolver;
  /** Upstream resolvers (`ip` or `ip:port`, `[v6]:port`) other names are forwarded to, in order. */
  upstreams: readonly string[];
  /** The asking client's own upstreams (a container's `--dns`), used instead of `upstreams` when non-empty. */
  upstreamsFor?: (client: string) => readonly string[] | undefined;
  /** TTL of local answers in seconds (docker uses 600). */
  ttl?: number;
  /** How long to wait for one upstream before trying the next. */
  upstreamTimeoutMs?: number;
}

/** A running embedded DNS server; `close()` stops both listeners. */
export interface DnsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

function reply(query: DnsMessage, rcode: number, answers: DnsMessage['answers'] = []): Buffer {
  return encodeDnsMessage({
    ...query,
    response: true,
    authoritative: false,
    truncated: false,
    recursionAvailable: true,
    rcode,
    answers,
    authorities: [],
    additionals: [],
  });
}

function splitUpstream(upstream: string): { host: string; port: number } {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(upstream);
  if (bracketed) return { host: bracketed[1] ?? '', port: Number(bracketed[2] ?? 53) };
  const colons = upstream.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = upstream.split(':');
    return { host: host ?? '', port: Number(port) };
  }
  return { host: upstream, port: 53 };
}

/** Sends a raw query to one upstream over UDP; resolves with the raw answer or undefined on timeout. */
function askUpstream(upstream: string, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  const { host, port } = splitUpstream(upstream);
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const finish = (answer: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.once('error', () => finish(undefined));
    socket.once('message', (message) => finish(message));
    socket.send(query, port, host);
  });
}

/**
 * Starts the embedded DNS server of one network on `host:port`, UDP and TCP. A/AAAA questions
 * for local names (see {@link resolveOnNetwork}) are answered from `resolve`; everything else
 * is forwarded verbatim to the upstreams (the host's resolvers) and the answer relayed.
 * Resolves once both listeners are bound.
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const ttl = options.ttl ?? 600;
  const timeoutMs = options.upstreamTimeoutMs ?? 2000;

  async function answer(raw: Buffer, client: string): Promise<Buffer | undefined> {
    let query: DnsMessage;
    try {
      query = decodeDnsMessage(raw);
    } catch {
      if (raw.length < 12) return undefined;
      const header = Buffer.from(raw.subarray(0, 12));
      header.writeUInt16BE(0x8000 | DNS_RCODE.FORMERR, 2);
      header.fill(0, 4);
      return header;
    }
    if (query.response) return undefined;
    const asker = client.replace(/^::ffff:(?=\d+\.)/, '');
    const question = query.questions[0];
    if (query.opcode !== 0 || !question || query.questions.length !== 1) return reply(query, DNS_RCODE.NOTIMP);
    if (question.class === DNS_CLASS_IN && (question.type === DNS_TYPE.A || question.type === DNS_TYPE.AAAA)) {
      const family = question.type === DNS_TYPE.A ? 4 : 6;
      const addresses = options.resolve(question.name, family, asker);
      if (addresses !== undefined) {
        return reply(
          query,
          DNS_RCODE.NOERROR,
          addresses.map((data) => ({ name: question.name, type: question.type, class: DNS_CLASS_IN, ttl, data })),
        );
      }
    }
    const own = options.upstreamsFor?.(asker);
    for (const upstream of own && own.length > 0 ? own : options.upstreams) {
      const forwarded = await askUpstream(upstream, raw, timeoutMs);
      if (forwarded) return forwarded;
    }
    return reply(query, DNS_RCODE.SERVFAIL);
  }

  const udp: Socket = createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (message, remote) => {
    void answer(message, remote.address).then((response) => {
      if (response) udp.send(response, remote.port, remote.address);
    });
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port ?? 53, options.host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;

  const sockets = new Set<TcpSocket>();
  const tcp: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + message.length);
        void answer(Buffer.from(message), socket.remoteAddress ?? '').then((response) => {
          if (!response || socket.destroyed) return;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(response.length);
          socket.write(Buffer.concat([length, response]));
        });
      }
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, options.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    udp.close();
    throw error;
  }

  return {
    host: options.host,
    port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
