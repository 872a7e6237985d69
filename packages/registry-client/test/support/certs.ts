import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of a test CA and a server certificate it signed for 127.0.0.1 and localhost. */
export interface TestPki {
  caCert: string;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
}

/** Makes a CA and a server certificate (SAN IP:127.0.0.1, DNS:localhost) with openssl, in `dir`. */
export async function makeTestPki(dir: string): Promise<TestPki> {
  const path = (name: string) => join(dir, name);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=berth-test-ca', '-keyout', path('ca.key'), '-out', path('ca.crt')]);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', path('server.key'), '-out', path('server.csr')]);
  await writeFile(path('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  await run('openssl', [
    'x509', '-req', '-in', path('server.csr'), '-CA', path('ca.crt'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-days', '1', '-extfile', path('san.ext'), '-out', path('server.crt'),
  ]); // prettier-ignore
  return { caCert: await readFile(path('ca.crt'), 'utf8'), caCertPath: path('ca.crt'), serverCertPath: path('server.crt'), serverKeyPath: path('server.key') };
}

/** A self-signed certificate and its RSA key, for signing registry tokens (the registry trusts the certificate). */
export async function makeSigningCert(dir: string): Promise<{ certPath: string; certPem: string; keyPem: string }> {
  const certPath = join(dir, 'token.crt');
  const keyPath = join(dir, 'token.key');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=berth-token-issuer', '-keyout', keyPath, '-out', certPath]);
  return { certPath, certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
}
