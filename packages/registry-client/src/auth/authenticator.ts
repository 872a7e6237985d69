import { z } from 'zod';
import { type AuthChallenge, parseChallenges } from './challenge.js';
import type { CredentialSource, Credentials } from './credentials.js';
import { type HttpTransport, readBody } from '../http/transport.js';
import { parseDistributionErrors } from '../errors/distribution-error.js';
import { RegistryError } from '../errors/registry-error.js';

const tokenResponseSchema = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
});

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Settings of an {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** The host whose credentials to use (`docker.io`, `localhost:5000`). */
  registry: string;
  credentials: CredentialSource | undefined;
  transport: HttpTransport;
  userAgent: string;
  /** OAuth2 client id sent with refresh-token grants. */
  clientId?: string;
}

/** A registry token is renewed this long before it expires. */
const expiryMarginMs = 5_000;

/**
 * The authentication state of one registry endpoint. It learns the scheme from the
 * first `401` challenge, then authorises every later request up front: `Basic` with the
 * credentials, or `Bearer` with a token fetched from the challenge's realm for the
 * request's scopes (anonymously when there are no credentials). Tokens are cached per
 * set of scopes until they expire or the registry rejects them.
 */
export class Authenticator {
  private challenge: AuthChallenge | undefined;
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private credentialLookup: Promise<Credentials | undefined> | undefined;

  constructor(private readonly options: AuthenticatorOptions) {}

  /** The `Authorization` header for a request needing `scopes`, or `undefined` to send none. */
  async authorization(scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const credentials = this.challenge ? await this.credentials() : undefined;
    if (credentials && 'registryToken' in credentials) return `Bearer ${credentials.registryToken}`;
    const challenge = this.challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      if (credentials && 'password' in credentials) {
        return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      }
      return undefined;
    }
    if (challenge.scheme === 'bearer') {
      const token = await this.token(challenge, scopes, signal);
      return `Bearer ${token.value}`;
    }
    return undefined;
  }

  /**
   * Digests a `401`: records the challenge and forgets a rejected token. Resolves `true`
   * when sending the request again with a fresh {@link authorization} may succeed.
   */
  async handleUnauthorized(wwwAuthenticate: string | string[] | undefined, scopes: string[], sent: string | undefined): Promise<boolean> {
    const challenges = parseChallenges(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const sentKey = scopeKey(scopes);
    const challengeScope = bearer?.params.scope;
    if (challengeScope) {
      for (const scope of challengeScope.split(' ')) if (scope && !scopes.includes(scope)) scopes.push(scope);
    }
    if (bearer) {
      this.challenge = bearer;
      if (sent?.startsWith('Bearer ')) this.tokens.delete(sentKey);
      const credentials = await this.credentials();
      // A fixed registry token that was refused will be refused again.
      return !(credentials && 'registryToken' in credentials && sent !== undefined);
    }
    if (basic) {
      this.challenge = basic;
      if (sent?.startsWith('Basic ')) return false;
      const credentials = await this.credentials();
      return credentials !== undefined && 'password' in credentials;
    }
    return false;
  }

  private credentials(): Promise<Credentials | undefined> {
    this.credentialLookup ??= this.options.credentials ? this.options.credentials(this.options.registry) : Promise.resolve(undefined);
    return this.credentialLookup;
  }

  private token(challenge: AuthChallenge, scopes: readonly string[], signal?: AbortSignal): Promise<CachedToken> {
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached) {
      return cached.then((token) => {
        if (token.expiresAt - expiryMarginMs > Date.now()) return token;
        if (this.tokens.get(key) === cached) this.tokens.delete(key);
        return this.token(challenge, scopes, signal);
      });
    }
    const fetching = this.fetchToken(challenge, [...scopes].sort(), signal);
    this.tokens.set(key, fetching);
    fetching.catch(() => {
      if (this.tokens.get(key) === fetching) this.tokens.delete(key);
    });
    return fetching;
  }

  private async fetchToken(challenge: AuthChallenge, scopes: string[], signal?: AbortSignal): Promise<CachedToken> {
    const { registry, transport, userAgent } = this.options;
    const realm = challenge.params.realm;
    if (!realm) {
      throw new RegistryError({ registry, status: 401, operation: 'authenticating', description: 'bearer challenge without a realm' });
    }
    const url = new URL(realm);
    const credentials = await this.credentials();
    const service = challenge.params.service;
    const headers: Record<string, string> = { 'User-Agent': userAgent, Accept: 'application/json' };
    let method = 'GET';
    let body: Uint8Array | undefined;
    if (credentials && 'identityToken' in credentials) {
      method = 'POST';
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: this.options.clientId ?? 'berth',
      });
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      body = Buffer.from(form.toString());
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else {
      if (service) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      if (credentials && 'password' in credentials) {
        headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      }
    }
    let response;
    try {
      response = await transport.send({ method, url, headers, ...(body ? { body } : {}), ...(signal ? { signal } : {}) });
    } catch (err) {
      if (err instanceof Error && err.name === 'AbortError') throw err;
      throw new RegistryError({ registry, operation: `fetching a token from ${url.origin}${url.pathname}`, cause: err });
    }
    const text = (await readBody(response.body, 1 << 20)).toString('utf8');
    if (response.status !== 200) {
      const anonymous = credentials === undefined;
      throw new RegistryError({
        registry,
        status: response.status,
        operation: `fetching a token from ${url.origin}${url.pathname}`,
        errors: parseDistributionErrors(text),
        description:
          response.status === 401 && !anonymous
            ? 'the token server rejected the credentials (wrong username or password?)'
            : text.slice(0, 200) || `token server answered ${response.status}`,
        // A 401/403 from the token server is about the credentials, not a passing fault.
        temporary: response.status >= 500 || response.status === 429,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = tokenResponseSchema.safeParse(json);
    const value = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
    if (!parsed.success || !value) {
      throw new RegistryError({ registry, status: 200, operation: `fetching a token from ${url.origin}${url.pathname}`, description: 'token response has no token', temporary: false });
    }
    const expiresInSeconds = Math.max(parsed.data.expires_in ?? 60, 60);
    return { value, expiresAt: Date.now() + expiresInSeconds * 1000 };
  }
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}
