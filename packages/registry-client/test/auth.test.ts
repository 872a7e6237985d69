import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isUnavailable } from '@berth/errdefs';
import { digestOf } from '@berth/spec';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryClient, dockerConfigCredentials, parseChallenges, staticCredentials } from '../src/index.js';
import { startMemoryRegistry } from '../src/testing/index.js';

describe('parseChallenges', () => {
  it('reads a bearer challenge with quoted parameters', () => {
    expect(
      parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push"'),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull,push' },
      },
    ]);
  });

  it('reads several challenges, unquoted values and escapes', () => {
    expect(parseChallenges(['Basic realm="a \\"b\\""', 'Bearer realm=https://x/token, error=insufficient_scope'])).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', error: 'insufficient_scope' } },
    ]);
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

describe('dockerConfigCredentials', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await makeTempDir('registry-client-docker-config');
  });
  afterEach(async () => {
    await dir.remove();
  });

  async function writeHelper(name: string, script: string): Promise<void> {
    const file = join(dir.path, `docker-credential-${name}`);
    await writeFile(file, `#!/bin/sh\n${script}\n`);
    await chmod(file, 0o755);
  }

  const env = () => ({ PATH: `${dir.path}:${process.env.PATH}`, DOCKER_CONFIG: dir.path, HOME: dir.path });

  it('decodes auths entries, including Docker Hub under its legacy key', async () => {
    await writeFile(
      join(dir.path, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
          'registry.example.com:5000': { username: 'u', password: 'p' },
          'https://tokens.example.com/v2/': { identitytoken: 'refresh-me' },
        },
      }),
    );
    const source = dockerConfigCredentials({ env: env() });
    expect(await source('docker.io')).toEqual({ username: 'hubuser', password: 'hubpass' });
    expect(await source('registry.example.com:5000')).toEqual({ username: 'u', password: 'p' });
    expect(await source('tokens.example.com')).toEqual({ identityToken: 'refresh-me' });
    expect(await source('unknown.example.com')).toBeUndefined();
  });

  it('runs credHelpers and credsStore programs with the server URL on stdin', async () => {
    await writeHelper('per-host', 'read url; echo "{\\"ServerURL\\":\\"$url\\",\\"Username\\":\\"helper-user\\",\\"Secret\\":\\"for-$url\\"}"');
    await writeHelper('store', 'read url; if [ "$url" = "https://index.docker.io/v1/" ]; then echo "{\\"Username\\":\\"<token>\\",\\"Secret\\":\\"idtoken\\"}"; else echo "credentials not found in native keychain"; exit 1; fi');
    await writeFile(
      join(dir.path, 'config.json'),
      JSON.stringify({ credHelpers: { 'ghcr.example.com': 'per-host' }, credsStore: 'store', auths: { 'fallback.example.com': { username: 'f', password: 'g' } } }),
    );
    const source = dockerConfigCredentials({ env: env() });
    expect(await source('ghcr.example.com')).toEqual({ username: 'helper-user', password: 'for-ghcr.example.com' });
    expect(await source('docker.io')).toEqual({ identityToken: 'idtoken' });
    // The store does not know it: the auths entry applies.
    expect(await source('fallback.example.com')).toEqual({ username: 'f', password: 'g' });
  });

  it('fails with Unavailable when the configured helper cannot run, and is silent without a config file', async () => {
    await writeFile(join(dir.path, 'config.json'), JSON.stringify({ credsStore: 'absent-helper' }));
    const err = await dockerConfigCredentials({ env: env() })('docker.io').catch((e: unknown) => e);
    expect(isUnavailable(err)).toBe(true);
    expect((err as Error).message).toContain('docker-credential-absent-helper');
    expect(await dockerConfigCredentials({ path: join(dir.path, 'nope.json') })('docker.io')).toBeUndefined();
  });

  it('authenticates a client from config.json against a registry', async () => {
    await using server = await startMemoryRegistry({ auth: { type: 'basic', users: { cfg: 'secret' } } });
    await writeFile(join(dir.path, 'config.json'), JSON.stringify({ auths: { [server.host]: { auth: Buffer.from('cfg:secret').toString('base64') } } }));
    const client = createRegistryClient({ credentials: dockerConfigCredentials({ env: env() }) });
    try {
      await client.ping(server.host);
    } finally {
      client.close();
    }
  });
});

describe('token flows', () => {
  it('exchanges an identity (refresh) token with the OAuth2 grant', async () => {
    await using server = await startMemoryRegistry({ auth: { type: 'token', identityTokens: { 'refresh-abc': 'carol' } } });
    const digest = server.registry.putBlob('private/app', Buffer.from('secret layer'));
    const client = createRegistryClient({ credentials: staticCredentials({ [server.host]: { identityToken: 'refresh-abc' } }) });
    try {
      expect(await client.repository(server.host, 'private/app').statBlob(digest)).toEqual({ digest, size: 12 });
      const post = server.registry.requests.find((r) => r.path === '/token' && r.method === 'POST');
      expect(post).toBeDefined();
    } finally {
      client.close();
    }
  });

  it('asks one token for a mount with pull on the source repository', async () => {
    await using server = await startMemoryRegistry({ auth: { type: 'token', users: { dan: 'pw' } } });
    const blob = Buffer.from('base layer');
    const digest = server.registry.putBlob('base', blob);
    const client = createRegistryClient({ credentials: staticCredentials({ [server.host]: { username: 'dan', password: 'pw' } }) });
    try {
      expect(await client.repository(server.host, 'derived').mountBlob(digest, 'base')).toBe(true);
      expect(server.registry.tokenRequests.some((scopes) => scopes.includes('repository:base:pull') && scopes.includes('repository:derived:pull,push'))).toBe(true);
      expect(server.registry.hasBlob('derived', digestOf(blob))).toBe(true);
    } finally {
      client.close();
    }
  });
});
