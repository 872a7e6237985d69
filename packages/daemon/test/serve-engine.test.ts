import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryEngine } from '@berth/engine';
import { serveEngine } from '@berth/daemon';
import { makeTempDir } from '@berth/testkit';
import { call } from './daemon-fixture.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const dir = await makeTempDir('berthd-serve');
  cleanups.push(dir.remove);
  const engine = await createMemoryEngine();
  cleanups.push(() => engine.close());
  return { dir: dir.path, engine };
}

describe('serveEngine', () => {
  it('creates the socket with mode 0660 and removes it on close, leaving the engine open', async () => {
    const { dir, engine } = await setup();
    const socketPath = join(dir, 'sub', 'd.sock');
    const server = await serveEngine(engine, { listeners: [{ type: 'unix', path: socketPath }] });
    expect(server.addresses).toEqual([`unix://${socketPath}`]);
    expect((await stat(socketPath)).mode & 0o777).toBe(0o660);
    expect((await call(socketPath, 'GET', '/_ping')).status).toBe(200);
    await server.close();
    await expect(stat(socketPath)).rejects.toThrow();
    expect((await engine.system.info()).name).toBeTruthy();
  });

  it('ends streaming responses and finishes on close, and closes the engine when asked', async () => {
    const { dir, engine } = await setup();
    const socketPath = join(dir, 'd.sock');
    const closeEngine = vi.spyOn(engine, 'close');
    const controller = new AbortController();
    const server = await serveEngine(engine, { listeners: [{ type: 'unix', path: socketPath }], signal: controller.signal, closeEngine: true });
    const following = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ socketPath, path: '/events' }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(following.statusCode).toBe(200);
    controller.abort();
    await server.close();
    // The stream ended cleanly (no reset) when the daemon shut down.
    await new Promise<void>((resolve, reject) => {
      following.on('error', reject);
      following.on('end', resolve);
      following.resume();
    });
    expect(closeEngine).toHaveBeenCalledTimes(1);
  });

  it('refuses plain TCP unless forced', async () => {
    const { engine } = await setup();
    await expect(serveEngine(engine, { listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0 }] })).rejects.toThrow(/without TLS/);
    const forced = await serveEngine(engine, { listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0, allowInsecure: true }] });
    cleanups.push(() => forced.close());
    expect(forced.addresses[0]).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves TLS and verifies client certificates', async () => {
    const { dir, engine } = await setup();
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
    for (const name of ['server', 'client']) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? 'localhost' : 'client'}`);
      const ext = join(dir, `${name}.ext`);
      execFileSync('sh', ['-c', `printf '%s\\n' '${name === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost' : 'extendedKeyUsage=clientAuth'}' > ${ext}`]);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', ext);
    }
    const { readFile } = await import('node:fs/promises');
    const read = (f: string) => readFile(join(dir, f));
    const server = await serveEngine(engine, {
      listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0, tls: { cert: await read('server.pem'), key: await read('server.key'), ca: await read('ca.pem'), verifyClients: true } }],
    });
    cleanups.push(() => server.close());
    const port = Number(server.addresses[0]!.split(':').at(-1));
    const get = (withCert: boolean) =>
      new Promise<number>((resolve, reject) => {
        void Promise.all([read('ca.pem'), read('client.pem'), read('client.key')]).then(([ca, cert, key]) => {
          const req = httpsRequest({ host: '127.0.0.1', port, path: '/_ping', ca, ...(withCert ? { cert, key } : {}) }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
      });
    expect(await get(true)).toBe(200);
    await expect(get(false)).rejects.toThrow();
  });
});
