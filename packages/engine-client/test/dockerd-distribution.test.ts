import { createEngineClient, type EngineClient } from '@berth/engine-client';
import { type MemoryRegistryServer, startMemoryRegistry } from '@berth/registry-client/testing';
import { describeIntegration } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PrivateDockerd, startPrivateDockerd } from './support/private-dockerd.js';

// Docker's media types: dockerd 20.10 (the one on the test machines) lists no platforms for OCI
// documents; current dockerd and Berth treat both kinds alike.
const indexMediaType = 'application/vnd.docker.distribution.manifest.list.v2+json';
const manifestMediaType = 'application/vnd.docker.distribution.manifest.v2+json';

// The reference for berthd's `GET /distribution/{name}/json` (see distribution-inspect.test.ts):
// what a real dockerd answers for the same registry documents, read through engine-client.
describeIntegration('images.inspectDistribution against dockerd', { root: true, commands: ['dockerd'] }, () => {
  let daemon: PrivateDockerd | undefined;
  let registry: MemoryRegistryServer;
  let client: EngineClient;

  beforeAll(async () => {
    registry = await startMemoryRegistry();
    daemon = await startPrivateDockerd();
    client = createEngineClient({ host: daemon.host });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await daemon?.stop();
    await registry?.close();
  }, 60_000);

  it('describes a single manifest by its config platform, and an index by its entries', async () => {
    // A manifest with a config naming linux/arm/v7, written straight into the registry.
    const config = Buffer.from(JSON.stringify({ architecture: 'arm', os: 'linux', variant: 'v7', rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
    const configDigest = registry.registry.putBlob('dist/probe', config);
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: manifestMediaType, config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: configDigest, size: config.length }, layers: [] }),
    );
    const manifestDigest = registry.registry.putManifest('dist/probe', 'single', manifest, manifestMediaType);
    expect(await client.images.inspectDistribution(`${registry.host}/dist/probe:single`)).toEqual({
      descriptor: { mediaType: manifestMediaType, digest: manifestDigest, size: manifest.length },
      platforms: [{ architecture: 'arm', os: 'linux', variant: 'v7' }],
    });

    const entry = { mediaType: manifestMediaType, digest: manifestDigest, size: manifest.length };
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: indexMediaType,
        manifests: [
          { ...entry, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
          { ...entry, platform: { architecture: 'unknown', os: 'unknown' } },
        ],
      }),
    );
    const indexDigest = registry.registry.putManifest('dist/probe', 'multi', index, indexMediaType);
    expect(await client.images.inspectDistribution(`${registry.host}/dist/probe:multi`)).toEqual({
      descriptor: { mediaType: indexMediaType, digest: indexDigest, size: index.length },
      platforms: [
        { architecture: 'arm', os: 'linux', variant: 'v7' },
        { architecture: 'unknown', os: 'unknown' },
      ],
    });
    await expect(client.images.inspectDistribution(`${registry.host}/dist/probe:no-such-tag`)).rejects.toMatchObject({ code: 'NotFound' });
  });
});
