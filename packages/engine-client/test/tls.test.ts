import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createEngineClient } from '@berth/engine-client';
import { makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

// TCP+TLS as dockerd does it with --tlsverify: the daemon checks the client's certificate
// against its CA, the client checks the daemon's. A fake daemon plays dockerd over HTTPS.
describe('TCP with TLS', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let server: Server;
  let host: string;
  const clientNames: string[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('berth-engine-client-tls');
    const at = (name: string) => join(dir.path, name);
    const openssl = (...args: string[]) => run('openssl', args, { cwd: dir.path });
    await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
    await writeFile(at('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=daemon', '-keyout', 'server-key.pem', '-out', 'server.csr');
    await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', 'server.ext', '-out', 'server-cert.pem');
    await writeFile(at('client.ext'), 'extendedKeyUsage=clientAuth\n');
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=berth-client', '-keyout', 'key.pem', '-out', 'client.csr');
    await openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', 'client.ext', '-out', 'cert.pem');

    server = createServer(
      { key: await readFile(at('server-key.pem')), cert: await readFile(at('server-cert.pem')), ca: await readFile(at('ca.pem')), requestCert: true, rejectUnauthorized: true },
      (request, response) => {
        clientNames.push(String((request.socket as TLSSocket).getPeerCertificate().subject?.CN));
        response.setHeader('Api-Version', '1.44');
        if (request.url === '/_ping') return response.end('OK');
        response.setHeader('Content-Type', 'application/json');
        response.end(JSON.stringify({ Version: 'tls-fake', ApiVersion: '1.44', Os: 'linux' }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await dir?.remove();
  });

  it('talks to a --tlsverify daemon with the ca, cert and key given', async () => {
    const at = (name: string) => readFile(join(dir.path, name));
    const client = createEngineClient({ host, tls: { ca: await at('ca.pem'), cert: await at('cert.pem'), key: await at('key.pem') } });
    expect((await client.system.version()).version).toBe('tls-fake');
    expect(await client.apiVersion()).toBe('1.44');
    expect(clientNames.at(-1)).toBe('berth-client');
    await client.close();
  });

  it('takes the host and certificates from DOCKER_HOST, DOCKER_CERT_PATH and DOCKER_TLS_VERIFY', async () => {
    const client = createEngineClient({ env: { DOCKER_HOST: host, DOCKER_CERT_PATH: dir.path, DOCKER_TLS_VERIFY: '1' } });
    expect((await client.system.version()).version).toBe('tls-fake');
    await client.close();
  });

  it('fails as Unavailable without a client certificate, or when the daemon\'s is not trusted', async () => {
    const ca = await readFile(join(dir.path, 'ca.pem'));
    const anonymous = createEngineClient({ host, tls: { ca } });
    await expect(anonymous.system.version()).rejects.toMatchObject({ code: 'Unavailable' });
    await anonymous.close();
    const untrusting = createEngineClient({ host, tls: { cert: await readFile(join(dir.path, 'cert.pem')), key: await readFile(join(dir.path, 'key.pem')) } });
    await expect(untrusting.system.version()).rejects.toMatchObject({ code: 'Unavailable' });
    await untrusting.close();
  });
});
