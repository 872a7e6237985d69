import { createHash, createPublicKey, randomUUID, sign } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A minimal docker token server for tests: issues RS256 JWTs for `users`, per requested scope. */
export interface TokenServer {
  url: string;
  /** Scopes of every token request, in order. */
  requests: string[][];
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** libtrust's key ID: base32 of the first 240 bits of SHA-256 over the DER public key, in groups of four. */
function libtrustKeyId(certPem: string): string {
  const der = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of hash) bits += byte.toString(2).padStart(8, '0');
  let encoded = '';
  for (let i = 0; i < bits.length; i += 5) encoded += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return encoded.match(/.{4}/g)!.join(':');
}

/** Starts a token server; the registry's `auth.token` must name `issuer`, `service`, and trust `certPem`. */
export async function startTokenServer(options: {
  issuer: string;
  service: string;
  certPem: string;
  keyPem: string;
  users: Record<string, string>;
}): Promise<TokenServer> {
  const requests: string[][] = [];
  const certDer = createPublicKey(options.certPem) && Buffer.from(options.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const kid = libtrustKeyId(options.certPem);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    requests.push(scopes);
    const header = req.headers.authorization ?? '';
    let user: string | undefined;
    if (header.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (options.users[name!] !== rest.join(':')) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'wrong username or password' }));
        return;
      }
      user = name;
    }
    // Authenticated users get what they ask for; anonymous users get nothing.
    const access = user
      ? scopes.map((scope) => {
          const first = scope.indexOf(':');
          const last = scope.lastIndexOf(':');
          return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',') };
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const jwtHeader = { alg: 'RS256', typ: 'JWT', kid, x5c: [certDer.toString('base64')] };
    const claims = { iss: options.issuer, sub: user ?? '', aud: options.service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const signingInput = `${b64url(JSON.stringify(jwtHeader))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), options.keyPem);
    const token = `${signingInput}.${b64url(signature)}`;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
