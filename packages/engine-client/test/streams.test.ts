import { encodeFrameHeader } from '@berth/docker-api';
import { createEngineClient } from '@berth/engine-client';
import type { LogChunk } from '@berth/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDaemon, jsonRoute, startFakeDaemon } from './support/fake-daemon.js';

let daemon: FakeDaemon | undefined;
afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
});

function frame(stream: 'stdout' | 'stderr', text: string): Buffer {
  const payload = Buffer.from(text);
  return Buffer.concat([encodeFrameHeader(stream, payload.length), payload]);
}

const inspectBody = (tty: boolean) => ({ Id: 'c1', Name: '/one', Config: { Tty: tty, Image: 'busybox' }, State: { Status: 'running' } });

async function collect(chunks: AsyncIterable<LogChunk>) {
  const out: Array<[string, string, number]> = [];
  for await (const chunk of chunks) out.push([chunk.stream, chunk.data.toString(), chunk.time.getTime()]);
  return out;
}

describe('logs', () => {
  it('demultiplexes frames split anywhere, and takes each line\'s time from docker\'s timestamp', async () => {
    daemon = await startFakeDaemon();
    daemon.route(jsonRoute('GET', '/containers/c1/json', 200, inspectBody(false)));
    daemon.route((request, response) => {
      if (!request.url?.includes('/logs')) return false;
      const bytes = Buffer.concat([frame('stdout', '2026-01-02T03:04:05.123456789Z out\n'), frame('stderr', '2026-01-02T03:04:06Z err\n')]);
      // Cut inside the second header to prove frames are reassembled.
      const cut = bytes.length - 30;
      response.write(bytes.subarray(0, cut));
      setTimeout(() => response.end(bytes.subarray(cut)), 5);
      return true;
    });
    const client = createEngineClient({ host: daemon.host });
    expect(await collect(client.containers.logs('c1'))).toEqual([
      ['stdout', 'out\n', Date.parse('2026-01-02T03:04:05.123Z')],
      ['stderr', 'err\n', Date.parse('2026-01-02T03:04:06Z')],
    ]);
    const query = new URL(daemon.seen.find((r) => r.url.includes('/logs'))!.url, 'http://d').searchParams;
    expect(Object.fromEntries(query)).toMatchObject({ stdout: '1', stderr: '1', timestamps: '1', tail: 'all' });
    // Asked for: the timestamps stay in the data, as `docker logs -t` prints them.
    const stamped = await collect(client.containers.logs('c1', { timestamps: true }));
    expect(stamped[0]![1]).toBe('2026-01-02T03:04:05.123456789Z out\n');
    await client.close();
  });

  it('reads a TTY container\'s logs raw, line by line, as stdout', async () => {
    daemon = await startFakeDaemon();
    daemon.route(jsonRoute('GET', '/containers/c1/json', 200, inspectBody(true)));
    daemon.route((request, response) => {
      if (!request.url?.includes('/logs')) return false;
      response.end('2026-01-02T03:04:05Z one\r\n2026-01-02T03:04:07Z two\r\n');
      return true;
    });
    const client = createEngineClient({ host: daemon.host });
    expect((await collect(client.containers.logs('c1'))).map(([stream, data]) => [stream, data])).toEqual([
      ['stdout', 'one\r\n'],
      ['stdout', 'two\r\n'],
    ]);
    await client.close();
  });

  it('ends a followed log when the signal aborts, and hangs up the connection', async () => {
    daemon = await startFakeDaemon();
    daemon.route(jsonRoute('GET', '/containers/c1/json', 200, inspectBody(false)));
    daemon.route((request, response) => {
      if (!request.url?.includes('/logs')) return false;
      response.write(frame('stdout', '2026-01-02T03:04:05Z first\n'));
      return true; // and never ends
    });
    const client = createEngineClient({ host: daemon.host });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const chunk of client.containers.logs('c1', { follow: true, signal: controller.signal })) {
      seen.push(chunk.data.toString());
      controller.abort();
    }
    expect(seen).toEqual(['first\n']);
    await expect.poll(() => daemon!.closedConnections()).toBeGreaterThan(0);
    await client.close();
  });
});

describe('events and close', () => {
  it('maps docker\'s folded actions and ends live streams on close()', async () => {
    daemon = await startFakeDaemon();
    daemon.route((request, response) => {
      if (!request.url?.includes('/events')) return false;
      response.write(JSON.stringify({ Type: 'daemon', Action: 'reload', Actor: { ID: 'd' }, time: 1, timeNano: 1e9 }) + '\n');
      response.write(
        JSON.stringify({ Type: 'container', Action: 'health_status: healthy', Actor: { ID: 'c1', Attributes: { name: 'one' } }, scope: 'local', time: 2, timeNano: 2_500_000_000 }) + '\n',
      );
      response.write(JSON.stringify({ Type: 'container', Action: 'exec_start: sh -c true', Actor: { ID: 'c1', Attributes: { execID: 'e1' } }, time: 3, timeNano: 3e9 }) + '\n');
      return true;
    });
    const client = createEngineClient({ host: daemon.host });
    const events = [];
    for await (const event of client.events()) {
      events.push(event);
      if (events.length === 2) void client.close();
    }
    expect(events.map((e) => [e.type, e.action, e.actor.attributes, e.time.getTime(), e.seq])).toEqual([
      ['container', 'health_status', { name: 'one', healthStatus: 'healthy' }, 2500, 1],
      ['container', 'exec_start', { execID: 'e1', commandLine: 'sh -c true' }, 3000, 2],
    ]);
    await expect(client.system.version()).rejects.toMatchObject({ code: 'Unavailable' });
  });

  it('rejects a wait when its signal aborts', async () => {
    daemon = await startFakeDaemon();
    daemon.route((request, response) => {
      if (!request.url?.includes('/wait')) return false;
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.flushHeaders();
      return true; // the container never exits
    });
    const client = createEngineClient({ host: daemon.host });
    const controller = new AbortController();
    const waiting = client.containers.wait('c1', { signal: controller.signal });
    await expect.poll(() => daemon!.seen.some((r) => r.url.includes('/wait'))).toBe(true);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    await client.close();
  });
});

describe('hijacked exec', () => {
  it('upgrades the connection, sends stdin, half-closes it, and demultiplexes the output', async () => {
    daemon = await startFakeDaemon();
    let running = true;
    daemon.route((request, response) => {
      if (!request.url?.includes('/exec/e1/json')) return false;
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ ID: 'e1', ContainerID: 'c1', Running: running, ExitCode: running ? 0 : 7, ProcessConfig: { tty: false } }));
      return true;
    });
    let upgradeHeaders: Record<string, unknown> = {};
    let body = '';
    daemon.onUpgrade((request, socket, head) => {
      upgradeHeaders = request.headers;
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      // The request body (Content-Length bytes of JSON) comes first, then stdin.
      const bodyLength = Number(request.headers['content-length']);
      let received = Buffer.concat([head]);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
      });
      socket.on('end', () => {
        body = received.subarray(0, bodyLength).toString();
        socket.write(frame('stdout', `got ${received.subarray(bodyLength).toString()}`));
        socket.write(frame('stderr', 'done\n'));
        running = false;
        socket.end();
      });
    });
    const client = createEngineClient({ host: daemon.host });
    const { Readable } = await import('node:stream');
    const session = await client.containers.execStart('e1', { stdin: Readable.from([Buffer.from('hello\n')]) });
    const output = (await collect(session.output)).map(([stream, data]) => [stream, data]);
    expect(output).toEqual([
      ['stdout', 'got hello\n'],
      ['stderr', 'done\n'],
    ]);
    expect(await session.exit).toBe(7);
    expect(upgradeHeaders).toMatchObject({ connection: 'Upgrade', upgrade: 'tcp' });
    expect(JSON.parse(body)).toEqual({ Detach: false, Tty: false });
    await client.close();
  });
});

describe('hijacked attach', () => {
  it('ends the output when the signal aborts, and close() ends the ones still open', async () => {
    daemon = await startFakeDaemon();
    daemon.route(jsonRoute('GET', '/containers/c1/json', 200, inspectBody(false)));
    daemon.onUpgrade((_request, socket) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.write(frame('stdout', 'hello\n'));
      // and never ends
    });
    const client = createEngineClient({ host: daemon.host });
    const controller = new AbortController();
    const aborted = await client.containers.attach('c1', { signal: controller.signal });
    const seen: string[] = [];
    for await (const chunk of aborted.output) {
      seen.push(chunk.data.toString());
      controller.abort();
    }
    expect(seen).toEqual(['hello\n']);
    const attach = new URL(daemon.seen.find((r) => r.url.includes('/attach'))!.url, 'http://d');
    expect(Object.fromEntries(attach.searchParams)).toEqual({ stream: '1', stdin: '0', stdout: '1', stderr: '1', logs: '0' });

    const open = await client.containers.attach('c1', { stdin: true });
    const iterator = open.output[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.data.toString()).toBe('hello\n');
    await client.close();
    expect((await iterator.next()).done).toBe(true);
  });
});
