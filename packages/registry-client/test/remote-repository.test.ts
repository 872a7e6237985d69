import { Readable } from 'node:stream';
import { isInvalidArgument, isNotFound, isUnauthorized } from '@berth/errdefs';
import { MediaTypes, digestOf } from '@berth/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RegistryClient, createRegistryClient, registryErrorOf, staticCredentials } from '../src/index.js';
import { type MemoryRegistryServer, startMemoryRegistry } from '../src/testing/index.js';

const fastRetry = { minDelayMs: 1, maxDelayMs: 5 };

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function manifestFor(config: Buffer, layers: Buffer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: { mediaType: MediaTypes.OciConfig, digest: digestOf(config), size: config.byteLength },
      layers: layers.map((l) => ({ mediaType: MediaTypes.OciLayerGzip, digest: digestOf(l), size: l.byteLength })),
    }),
  );
}

describe('RemoteRepository against the in-memory registry', () => {
  let server: MemoryRegistryServer;
  let client: RegistryClient;

  beforeEach(async () => {
    server = await startMemoryRegistry({ defaultPageSize: 3 });
    client = createRegistryClient({ retry: fastRetry });
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('uploads blobs monolithically and in chunks, then reads them back verified', async () => {
    const repo = client.repository(server.host, 'team/app');
    const small = Buffer.from('hello registry');
    const large = Buffer.alloc(300_000, 7);
    const smallDesc = { mediaType: 'application/octet-stream', digest: digestOf(small), size: small.byteLength };
    const largeDesc = { mediaType: 'application/octet-stream', digest: digestOf(large), size: large.byteLength };
    const progress: number[] = [];
    expect(await repo.uploadBlob(smallDesc, () => Readable.from([small]))).toBe('uploaded');
    expect(await repo.uploadBlob(largeDesc, () => Readable.from([large]), { mode: 'chunked', chunkSize: 100_000, onProgress: (n) => progress.push(n) })).toBe(
      'uploaded',
    );
    expect(progress).toEqual([100_000, 200_000, 300_000]);
    const patches = server.registry.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(3);
    expect(await repo.statBlob(largeDesc.digest)).toEqual({ digest: largeDesc.digest, size: large.byteLength });
    expect((await readAll(await repo.fetchBlob(largeDesc))).equals(large)).toBe(true);
    expect(await readAll(await repo.fetchBlob(smallDesc, { offset: 6 }))).toEqual(Buffer.from('registry'));
    expect(server.registry.openUploads).toBe(0);
  });

  it('puts and fetches manifests by tag and digest, and resolves them with HEAD', async () => {
    const repo = client.repository(server.host, 'app');
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const configDigest = server.registry.putBlob('app', config);
    const manifest = manifestFor(config, []);
    const put = await repo.putManifest('v1', manifest, MediaTypes.OciManifest);
    expect(put.digest).toBe(digestOf(manifest));
    expect(configDigest).toBe(digestOf(config));
    const byTag = await repo.fetchManifest('v1');
    expect(Buffer.from(byTag.bytes)).toEqual(manifest);
    expect(byTag.descriptor).toEqual({ mediaType: MediaTypes.OciManifest, digest: put.digest, size: manifest.byteLength });
    expect((await repo.fetchManifest(put.digest)).descriptor.digest).toBe(put.digest);
    expect(await repo.resolve('v1')).toEqual(byTag.descriptor);
  });

  it('refuses a manifest whose blobs the registry lacks, as InvalidArgument/NotFound with the code', async () => {
    const repo = client.repository(server.host, 'app');
    const manifest = manifestFor(Buffer.from('missing config'), []);
    const err = await repo.putManifest('v1', manifest, MediaTypes.OciManifest).catch((e: unknown) => e);
    expect(registryErrorOf(err)?.hasCode('MANIFEST_BLOB_UNKNOWN')).toBe(true);
    expect((err as Error).message).toContain(`registry ${server.host}`);
    expect((err as Error).message).toContain('repository app');
  });

  it('reports an unknown tag as NotFound naming registry, repository and tag', async () => {
    server.registry.putBlob('app', Buffer.from('x'));
    const err = await client.repository(server.host, 'app').fetchManifest('nope').catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`registry ${server.host}.*repository app.*reference nope.*MANIFEST_UNKNOWN`));
    expect(registryErrorOf(err)?.status).toBe(404);
  });

  it('rejects a manifest whose bytes do not match the requested digest', async () => {
    const config = Buffer.from('{}');
    server.registry.putBlob('app', config);
    const digest = server.registry.putManifest('app', 'v1', manifestFor(config, []), MediaTypes.OciManifest);
    server.registry.injectFault({ type: 'corrupt', method: 'GET', path: /manifests/ });
    const err = await client.repository(server.host, 'app').fetchManifest(digest).catch((e: unknown) => e);
    expect(isInvalidArgument(err)).toBe(true);
    expect((err as Error).message).toContain('digest mismatch');
  });

  it('fails a corrupted blob stream before it ends cleanly', async () => {
    const blob = Buffer.alloc(50_000, 3);
    const digest = server.registry.putBlob('app', blob);
    server.registry.injectFault({ type: 'corrupt', method: 'GET', path: /blobs/ });
    const stream = await client.repository(server.host, 'app').fetchBlob({ digest, size: blob.byteLength });
    const err = await readAll(stream).catch((e: unknown) => e);
    expect(isInvalidArgument(err)).toBe(true);
  });

  it('mounts a blob across repositories without uploading it', async () => {
    const blob = Buffer.from('shared layer');
    const digest = server.registry.putBlob('base', blob);
    const target = client.repository(server.host, 'derived');
    const outcome = await target.uploadBlob({ mediaType: 'application/octet-stream', digest, size: blob.byteLength }, () => {
      throw new Error('must not open the source');
    }, { mountFrom: ['base'] });
    expect(outcome).toBe('mounted');
    expect(server.registry.hasBlob('derived', digest)).toBe(true);
    expect(await target.mountBlob(digestOf('absent'), 'base')).toBe(false);
    expect(server.registry.openUploads).toBe(0);
  });

  it('lists tags and the catalog across pages', async () => {
    const config = Buffer.from('{}');
    server.registry.putBlob('app', config);
    const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    for (const tag of tags) server.registry.putManifest('app', tag, manifestFor(config, []), MediaTypes.OciManifest);
    for (const name of ['x/one', 'x/two', 'y', 'z']) server.registry.putBlob(name, config);
    const repo = client.repository(server.host, 'app');
    expect(await repo.listTags()).toEqual(tags);
    expect(await repo.listTags({ pageSize: 2, last: 'b' })).toEqual(['c', 'd', 'e', 'f', 'g']);
    const pages = server.registry.requests.filter((r) => r.path === '/v2/app/tags/list');
    expect(pages.length).toBeGreaterThan(3);
    const names: string[] = [];
    for await (const name of client.catalog(server.host)) names.push(name);
    expect(names).toEqual(['app', 'x/one', 'x/two', 'y', 'z']);
  });

  it('deletes manifests and blobs', async () => {
    const config = Buffer.from('{}');
    const configDigest = server.registry.putBlob('app', config);
    const digest = server.registry.putManifest('app', 'v1', manifestFor(config, []), MediaTypes.OciManifest);
    const repo = client.repository(server.host, 'app');
    await repo.deleteManifest(digest);
    expect(isNotFound(await repo.fetchManifest('v1').catch((e: unknown) => e))).toBe(true);
    await repo.deleteBlob(configDigest);
    expect(await repo.statBlob(configDigest)).toBeUndefined();
  });

  it('lists referrers through the API and through the tag fallback', async () => {
    const config = Buffer.from('{}');
    server.registry.putBlob('app', config);
    const subjectBytes = manifestFor(config, []);
    const subject = server.registry.putManifest('app', 'v1', subjectBytes, MediaTypes.OciManifest);
    const referrer = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.OciManifest,
        artifactType: 'application/vnd.example.sbom',
        config: { mediaType: MediaTypes.OciEmpty, digest: digestOf(config), size: config.byteLength },
        layers: [],
        subject: { mediaType: MediaTypes.OciManifest, digest: subject, size: subjectBytes.byteLength },
      }),
    );
    const repo = client.repository(server.host, 'app');
    const put = await repo.putManifest(digestOf(referrer), referrer, MediaTypes.OciManifest);
    const found = await repo.referrers(subject);
    expect(found.map((d) => d.digest)).toEqual([put.digest]);
    expect(await repo.referrers(subject, { artifactType: 'other/type' })).toEqual([]);

    const legacy = await startMemoryRegistry({ referrersApi: false });
    try {
      legacy.registry.putBlob('app', config);
      legacy.registry.putManifest('app', 'v1', subjectBytes, MediaTypes.OciManifest);
      const legacyRepo = client.repository(legacy.host, 'app');
      expect(await legacyRepo.referrers(subject)).toEqual([]);
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [{ ...put, artifactType: 'application/vnd.example.sbom' }] }));
      legacy.registry.putManifest('app', `sha256-${subject.slice(7)}`, index, MediaTypes.OciIndex);
      expect((await legacyRepo.referrers(subject)).map((d) => d.digest)).toEqual([put.digest]);
    } finally {
      await legacy.close();
    }
  });

  it('retries 5xx and 429 (honouring Retry-After) until the request succeeds', async () => {
    const blob = Buffer.from('retry me');
    const digest = server.registry.putBlob('app', blob);
    server.registry.injectFault({ type: 'status', status: 503, method: 'GET', path: /blobs/ });
    server.registry.injectFault({ type: 'status', status: 429, retryAfter: '0', method: 'GET', path: /blobs/ });
    const stream = await client.repository(server.host, 'app').fetchBlob({ digest, size: blob.byteLength });
    expect(await readAll(stream)).toEqual(blob);
    const statuses = server.registry.requests.filter((r) => r.path.includes('/blobs/')).map((r) => r.status);
    expect(statuses).toEqual([503, 429, 200]);
  });

  it('gives up after the configured attempts with Unavailable and temporary=true', async () => {
    const digest = server.registry.putBlob('app', Buffer.from('x'));
    server.registry.injectFault({ type: 'status', status: 500, method: 'GET', path: /blobs/, times: 10 });
    const limited = createRegistryClient({ retry: { ...fastRetry, attempts: 3 } });
    try {
      const err = await limited.repository(server.host, 'app').fetchBlob({ digest }).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('Unavailable');
      expect(registryErrorOf(err)?.temporary).toBe(true);
      expect(server.registry.requests.filter((r) => r.path.includes('/blobs/'))).toHaveLength(3);
    } finally {
      limited.close();
    }
  });
});

describe('authentication against the in-memory registry', () => {
  it('uses basic credentials after the challenge and names the registry when they are wrong', async () => {
    await using server = await startMemoryRegistry({ auth: { type: 'basic', users: { alice: 'secret' } } });
    const good = createRegistryClient({ credentials: staticCredentials({ [server.host]: { username: 'alice', password: 'secret' } }) });
    const bad = createRegistryClient({ credentials: staticCredentials({ [server.host]: { username: 'alice', password: 'nope' } }), retry: fastRetry });
    try {
      await good.ping(server.host);
      const err = await bad.ping(server.host).catch((e: unknown) => e);
      expect(isUnauthorized(err)).toBe(true);
      expect((err as Error).message).toContain(`registry ${server.host}`);
    } finally {
      good.close();
      bad.close();
    }
  });

  it('fetches bearer tokens per scope, anonymously when allowed, and renews them on 401', async () => {
    await using server = await startMemoryRegistry({ auth: { type: 'token', users: { bob: 'pw' }, anonymousPull: true } });
    server.registry.putBlob('lib/app', Buffer.from('anon'));
    const digest = digestOf('anon');
    const anonymous = createRegistryClient();
    const bob = createRegistryClient({ credentials: staticCredentials({ [server.host]: { username: 'bob', password: 'pw' } }) });
    try {
      expect(await readAll(await anonymous.repository(server.host, 'lib/app').fetchBlob({ digest }))).toEqual(Buffer.from('anon'));
      // Anonymous users may not push.
      const push = await anonymous
        .repository(server.host, 'lib/app')
        .uploadBlob({ mediaType: 'x', digest: digestOf('new'), size: 3 }, () => Readable.from([Buffer.from('new')]))
        .catch((e: unknown) => e);
      expect(isUnauthorized(push)).toBe(true);

      const repo = bob.repository(server.host, 'lib/app');
      await repo.uploadBlob({ mediaType: 'x', digest: digestOf('new'), size: 3 }, () => Readable.from([Buffer.from('new')]));
      const before = server.registry.tokenRequests.length;
      await repo.statBlob(digest);
      await repo.statBlob(digest);
      expect(server.registry.tokenRequests.length).toBe(before + 1);
      server.registry.revokeTokens();
      expect(await repo.statBlob(digestOf('new'))).toEqual({ digest: digestOf('new'), size: 3 });
      expect(server.registry.tokenRequests.length).toBe(before + 2);
    } finally {
      anonymous.close();
      bob.close();
    }
  });

  it('reports a wrong password at the token server as Unauthorized naming the registry', async () => {
    await using server = await startMemoryRegistry({ auth: { type: 'token', users: { bob: 'pw' } } });
    const client = createRegistryClient({ credentials: staticCredentials({ [server.host]: { username: 'bob', password: 'wrong' } }) });
    try {
      const err = await client.repository(server.host, 'x').fetchManifest('latest').catch((e: unknown) => e);
      expect(isUnauthorized(err)).toBe(true);
      expect((err as Error).message).toContain(`registry ${server.host}`);
      expect((err as Error).message).toContain('wrong username or password');
    } finally {
      client.close();
    }
  });
});
