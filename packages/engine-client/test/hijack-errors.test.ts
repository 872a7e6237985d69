import { Readable } from 'node:stream';
import { createEngineClient } from '@berth/engine-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDaemon, jsonRoute, startFakeDaemon } from './support/fake-daemon.js';

let daemon: FakeDaemon | undefined;
afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
});

const inspectBody = { Id: 'c1', Name: '/one', Config: { Tty: false, Image: 'busybox' }, State: { Status: 'running' } };

/** Answers the upgrade, then hangs up at once: every later write of the client fails (EPIPE). */
function hangUpAfterUpgrade(d: FakeDaemon): Promise<void> {
  return new Promise((resolve) => {
    d.onUpgrade((_request, socket) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n', () => {
        socket.destroy();
        resolve();
      });
    });
  });
}

describe('a hijacked connection that fails while nobody reads it', () => {
  it('attach: a write after the daemon hung up fails that write, and does not crash the process', async () => {
    daemon = await startFakeDaemon();
    daemon.route(jsonRoute('GET', '/containers/c1/json', 200, inspectBody));
    const hungUp = hangUpAfterUpgrade(daemon);
    const client = createEngineClient({ host: daemon.host });
    // The output is never read: only the socket's own error handler can take the EPIPE.
    const session = await client.containers.attach('c1', { stdin: true });
    await hungUp;
    const failed = new Promise<Error>((resolve) => session.stdin!.once('error', resolve));
    const writes: Array<Error | null | undefined> = [];
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => session.stdin!.write(Buffer.alloc(64 * 1024, 1), (err) => {
        writes.push(err);
        resolve();
      }));
      if (writes.at(-1)) break;
    }
    expect(writes.at(-1)).toBeInstanceOf(Error);
    expect(await failed).toBeInstanceOf(Error);
    await session.detach();
    await client.close();
  });

  it('exec: stdin piped into a connection the daemon hung up on stops, without an unhandled error', async () => {
    daemon = await startFakeDaemon();
    daemon.route((request, response) => {
      if (!request.url?.includes('/exec/e1/json')) return false;
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ ID: 'e1', ContainerID: 'c1', Running: false, ExitCode: 3, ProcessConfig: { tty: false } }));
      return true;
    });
    const hungUp = hangUpAfterUpgrade(daemon);
    const client = createEngineClient({ host: daemon.host });
    let pulled = 0;
    // Endless stdin, produced only after the hang-up: every byte of it meets a closed connection.
    const stdin = new Readable({
      read() {
        pulled += 1;
        void hungUp.then(() => setTimeout(() => this.push(Buffer.alloc(64 * 1024, 2)), 5));
      },
    });
    const session = await client.containers.execStart('e1', { stdin });
    expect(await session.exit).toBe(3);
    await expect.poll(() => pulled).toBeGreaterThan(1);
    stdin.destroy();
    await client.close();
  });
});
