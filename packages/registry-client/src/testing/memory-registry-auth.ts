import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Authentication of the in-memory registry:
 * - `basic`: every request needs one of `users` (name → password);
 * - `token`: docker's token flow — a `401` challenge points at `/token` on the same
 *   server, which issues bearer tokens for the requested scopes to `users` (and, with
 *   `anonymousPull`, pull-only tokens to anyone). Tokens live `tokenTtlSeconds` (default 300).
 *   `identityTokens` (refresh token → user name) enable the OAuth2 refresh-token grant.
 * Authenticated users may do everything; anonymous ones at most pull.
 */
export type MemoryRegistryAuth =
  | { type: 'basic'; users: Record<string, string> }
  | {
      type: 'token';
      users?: Record<string, string>;
      anonymousPull?: boolean;
      tokenTtlSeconds?: number;
      identityTokens?: Record<string, string>;
    };

/** What a request needs: `repository:<name>:<action>` or `registry:catalog:*`; none for `/v2/`. */
export interface RequiredAccess {
  scope: string | undefined;
}

interface IssuedToken {
  user: string | undefined;
  grants: Set<string>;
  expiresAt: number;
}

/** The service name the token flow uses. */
export const memoryRegistryService = 'berth-memory-registry';

/** Checks requests against a {@link MemoryRegistryAuth} and serves the token endpoint. */
export class MemoryRegistryAuthenticator {
  private readonly tokens = new Map<string, IssuedToken>();
  /** Scopes requested from the token endpoint, in order, for assertions. */
  readonly tokenRequests: string[][] = [];

  constructor(private readonly auth: MemoryRegistryAuth | undefined) {}

  /** Invalidates every issued token, so the next requests get `401` and must renew. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /**
   * Whether `req` may proceed; if not, the `401`/`403` response has been sent.
   * `scope` is what the route needs (`undefined` for `/v2/`).
   */
  authorize(req: IncomingMessage, res: ServerResponse, scope: string | undefined): boolean {
    const auth = this.auth;
    if (!auth) return true;
    const header = req.headers.authorization ?? '';
    if (auth.type === 'basic') {
      const user = basicUser(header);
      if (user && auth.users[user.name] === user.password) return true;
      deny(res, 401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': 'Basic realm="berth-memory-registry"' });
      return false;
    }
    const token = header.startsWith('Bearer ') ? this.tokens.get(header.slice(7)) : undefined;
    const valid = token !== undefined && token.expiresAt > Date.now();
    if (valid && (scope === undefined || hasGrant(token.grants, scope))) return true;
    const realm = `http://${req.headers.host}/token`;
    const params = [`realm="${realm}"`, `service="${memoryRegistryService}"`];
    if (scope) params.push(`scope="${scope}"`);
    if (valid) params.push('error="insufficient_scope"');
    deny(res, 401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': `Bearer ${params.join(',')}` });
    return false;
  }

  /** Whether the bearer token of `req` grants `scope` (used for the mount source). */
  grants(req: IncomingMessage, scope: string): boolean {
    if (this.auth?.type !== 'token') return true;
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? this.tokens.get(header.slice(7)) : undefined;
    return token !== undefined && hasGrant(token.grants, scope);
  }

  /** Serves `GET|POST /token`. */
  async serveToken(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const auth = this.auth;
    if (auth?.type !== 'token') {
      deny(res, 404, 'UNSUPPORTED', 'no token service');
      return;
    }
    let scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    let user: string | undefined;
    let authenticated = false;
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readText(req));
      scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const grant = form.get('grant_type');
      if (grant === 'refresh_token') {
        user = auth.identityTokens?.[form.get('refresh_token') ?? ''];
      } else if (grant === 'password') {
        const name = form.get('username') ?? '';
        if (auth.users?.[name] === form.get('password')) user = name;
      }
      if (!user) {
        deny(res, 401, 'UNAUTHORIZED', 'invalid grant');
        return;
      }
      authenticated = true;
    } else {
      const basic = basicUser(req.headers.authorization ?? '');
      if (basic) {
        if (auth.users?.[basic.name] !== basic.password) {
          deny(res, 401, 'UNAUTHORIZED', 'wrong username or password');
          return;
        }
        user = basic.name;
        authenticated = true;
      }
    }
    this.tokenRequests.push(scopes);
    if (!authenticated && !auth.anonymousPull && scopes.length > 0) {
      // Anonymous users get a token without grants, as Docker Hub does for private repositories.
      scopes = [];
    }
    const grants = new Set<string>();
    for (const scope of scopes) {
      const parsed = parseScope(scope);
      if (!parsed) continue;
      for (const action of parsed.actions) {
        if (authenticated || action === 'pull') grants.add(`${parsed.type}:${parsed.name}:${action}`);
      }
    }
    const ttl = auth.tokenTtlSeconds ?? 300;
    const value = randomBytes(16).toString('hex');
    this.tokens.set(value, { user, grants, expiresAt: Date.now() + ttl * 1000 });
    const body = JSON.stringify({ token: value, access_token: value, expires_in: ttl, issued_at: new Date().toISOString() });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}

function hasGrant(grants: Set<string>, scope: string): boolean {
  const parsed = parseScope(scope);
  if (!parsed) return false;
  return parsed.actions.every((action) => grants.has(`${parsed.type}:${parsed.name}:${action}`) || grants.has(`${parsed.type}:${parsed.name}:*`));
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',') };
}

function basicUser(header: string): { name: string; password: string } | undefined {
  if (!header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Sends a distribution error response. */
export function deny(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ code, message }] });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
