import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { type MemoryRegistryServer, startMemoryRegistry } from '@berth/registry-client/testing';
import { makeTempDir } from '@berth/testkit';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineClient, createEngineClient } from '@berth/engine-client';
import { type BerthdProcess, berthdAvailable, startBerthd } from './support/berthd-process.js';

const credentials = { username: 'alice', password: 'wonderland' };
const indexMediaType = 'application/vnd.oci.image.index.v1+json';

/** GET over berthd's socket, answering status and parsed JSON. */
function getJson(socketPath: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end();
  });
}

// `GET /distribution/{name}/json`: engine-client → berthd (memory engine, its own process) → a
// registry with basic auth; the credentials travel in X-Registry-Auth.
(berthdAvailable ? describe : describe.skip)('images.inspectDistribution through berthd', () => {
  let berthd: BerthdProcess | undefined;
  let registry: MemoryRegistryServer;
  let client: EngineClient;
  let dir: { path: string; remove: () => Promise<void> };
  let pushedDigest = '';
  let repository = '';

  beforeAll(async () => {
    dir = await makeTempDir('distribution-inspect');
    registry = await startMemoryRegistry({ auth: { type: 'basic', users: { [credentials.username]: credentials.password } } });
    berthd = await startBerthd();
    client = createEngineClient({ host: berthd.host });
    const archive = join(dir.path, 'busybox.tar');
    await writeDockerArchive(archive, [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
    await client.images.load(archive);
    repository = `${registry.host}/dist/busybox`;
    await client.images.tag('busybox', `${repository}:v1`);
    pushedDigest = (await client.images.push(`${repository}:v1`, { auth: credentials }).done).digest;
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await berthd?.stop();
    await registry?.close();
    await dir?.remove();
  }, 30_000);

  it('describes a single-platform manifest: its descriptor and the platform of its config', async () => {
    const inspect = await client.images.inspectDistribution(`${repository}:v1`, { auth: credentials });
    const stored = registry.registry.manifest('dist/busybox', 'v1')!;
    expect(inspect).toEqual({
      descriptor: { mediaType: stored.mediaType, digest: pushedDigest, size: stored.bytes.length },
      platforms: [{ architecture: busyboxImagePlatform().architecture, os: 'linux' }],
    });
    // By digest too.
    expect((await client.images.inspectDistribution(`${repository}@${pushedDigest}`, { auth: credentials })).descriptor.digest).toBe(pushedDigest);
  });

  it('lists the platforms of an index', async () => {
    const stored = registry.registry.manifest('dist/busybox', 'v1')!;
    const entry = { mediaType: stored.mediaType, digest: pushedDigest, size: stored.bytes.length };
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: indexMediaType,
        manifests: [
          { ...entry, platform: { architecture: 'amd64', os: 'linux' } },
          { ...entry, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
        ],
      }),
    );
    const indexDigest = registry.registry.putManifest('dist/busybox', 'multi', index, indexMediaType);
    const inspect = await client.images.inspectDistribution(`${repository}:multi`, { auth: credentials });
    expect(inspect).toEqual({
      descriptor: { mediaType: indexMediaType, digest: indexDigest, size: index.length },
      platforms: [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm', os: 'linux', variant: 'v7' },
      ],
    });
  });

  it("answers docker's wire shape over HTTP", async () => {
    const socketPath = berthd!.host.replace(/^unix:\/\//, '');
    const auth = Buffer.from(JSON.stringify({ ...credentials, serveraddress: registry.host })).toString('base64url');
    const answer = await getJson(socketPath, `/v1.47/distribution/${repository}:v1/json`, { 'X-Registry-Auth': auth });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      Descriptor: { mediaType: expect.any(String), digest: pushedDigest, size: expect.any(Number) },
      Platforms: [{ architecture: busyboxImagePlatform().architecture, os: 'linux' }],
    });
  });

  it('fails without credentials, and for an unknown tag', async () => {
    await expect(client.images.inspectDistribution(`${repository}:v1`)).rejects.toMatchObject({ code: 'Unauthorized' });
    await expect(client.images.inspectDistribution(`${repository}:no-such-tag`, { auth: credentials })).rejects.toMatchObject({ code: 'NotFound' });
  });
});

/** The platform busyboxImage() is built for (this host's architecture). */
function busyboxImagePlatform(): { architecture: string } {
  return { architecture: process.arch === 'x64' ? 'amd64' : process.arch };
}
