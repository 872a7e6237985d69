import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isNotFound, isInvalidArgument, isUnauthorized, isUnavailable } from '@berth/errdefs';
import { createCopySnapshotter, createMemoryContentStore, createMemoryImageStore, withMounts, writeOciLayout } from '@berth/image';
import { busyboxImage, multiLayerExpectations, multiLayerImage, multiPlatformIndex, randomImage } from '@berth/image/testing';
import { describeIntegration, makeTempDir, type DockerRegistry, startDockerRegistry } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RegistryClient, createRegistryClient, pullImage, pushImage, staticCredentials } from '../src/index.js';
import { makeSigningCert, makeTestPki } from './support/certs.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { type TokenServer, startTokenServer } from './support/token-server.js';

const run = promisify(execFile);
const fastRetry = { minDelayMs: 10, maxDelayMs: 50 };

describeIntegration('registry client against docker-registry', { commands: ['docker-registry', 'htpasswd', 'skopeo', 'openssl'] }, () => {
  describe('without auth', () => {
    let dir: { path: string; remove: () => Promise<void> };
    let registry: DockerRegistry;
    let client: RegistryClient;

    beforeAll(async () => {
      dir = await makeTempDir('registry-client-plain');
      registry = await startDockerRegistry({ dir: dir.path });
      client = createRegistryClient({ retry: fastRetry });
    });
    afterAll(async () => {
      client?.close();
      await registry?.stop();
      await dir?.remove();
    });

    it('round-trips the one-layer busybox image with equal digests', async () => {
      const image = busyboxImage();
      const pushed = await pushImage(`${registry.host}/library/busybox:1`, { image, client });
      expect(pushed.descriptor.digest).toBe(await image.digest());
      const imageStore = createMemoryImageStore();
      const result = await pullImage(`${registry.host}/library/busybox:1`, { contentStore: createMemoryContentStore(), imageStore, client });
      expect(result.manifest.digest).toBe(await image.digest());
      expect(result.configDigest).toBe(await image.configDigest());
      expect((await imageStore.get(`${registry.host}/library/busybox:1`)).target.digest).toBe(await image.digest());
    });

    it('round-trips many layers with whiteouts and unpacks them', async () => {
      const image = multiLayerImage();
      await pushImage(`${registry.host}/multi:1`, { image, client, uploadMode: 'chunked', chunkSize: 256 * 1024 });
      const snapDir = await makeTempDir('registry-client-snap');
      try {
        const snapshotter = await createCopySnapshotter({ root: snapDir.path });
        const result = await pullImage(`${registry.host}/multi:1`, { contentStore: createMemoryContentStore(), snapshotter, client });
        expect(result.manifest.digest).toBe(await image.digest());
        await snapshotter.view('check', result.unpacked!.key);
        await withMounts(await snapshotter.mounts('check'), async (root) => {
          for (const [path, text] of Object.entries(multiLayerExpectations.files)) expect(await readFile(join(root, path), 'utf8')).toBe(text);
          for (const path of multiLayerExpectations.absent) await expect(readFile(join(root, path))).rejects.toThrow();
        });
        await snapshotter.remove('check');
      } finally {
        await snapDir.remove();
      }
    });

    it('pushes a multi-platform index; pull picks the platform or names the available ones', async () => {
      const index = multiPlatformIndex();
      const pushed = await pushImage(`${registry.host}/multi-arch:1`, { image: index, client });
      expect(pushed.descriptor.digest).toBe(await index.digest());
      const arm = await pullImage(`${registry.host}/multi-arch:1`, { contentStore: createMemoryContentStore(), platform: 'linux/arm/v7', client });
      expect(arm.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
      expect(arm.target.digest).toBe(await index.digest());
      const err = await pullImage(`${registry.host}/multi-arch:1`, { contentStore: createMemoryContentStore(), platform: 'linux/ppc64le', client }).done.catch(
        (e: unknown) => e,
      );
      expect(isNotFound(err)).toBe(true);
      expect((err as Error).message).toContain('available platforms: linux/amd64, linux/arm64/v8, linux/arm/v7');
    });

    it('reports an unknown tag as NotFound naming registry, repository and tag', async () => {
      await pushImage(`${registry.host}/known:1`, { image: randomImage({ seed: 'known' }), client });
      const err = await pullImage(`${registry.host}/known:missing`, { contentStore: createMemoryContentStore(), client }).done.catch((e: unknown) => e);
      expect(isNotFound(err)).toBe(true);
      expect((err as Error).message).toContain(`registry ${registry.host}`);
      expect((err as Error).message).toContain('repository known');
      expect((err as Error).message).toContain('missing');
    });

    it('lists tags across pages and the catalog, and deletes a manifest', async () => {
      const image = randomImage({ seed: 'tags' });
      for (const tag of ['a', 'b', 'c', 'd']) await pushImage(`${registry.host}/tagged:${tag}`, { image, client });
      const repo = client.repository(registry.host, 'tagged');
      // distribution 2.8 pages in storage order, not sorted; every tag comes exactly once.
      expect((await repo.listTags({ pageSize: 3 })).sort()).toEqual(['a', 'b', 'c', 'd']);
      const names: string[] = [];
      for await (const name of client.catalog(registry.host, { pageSize: 2 })) names.push(name);
      expect(names).toContain('tagged');
      await repo.deleteManifest(await image.digest());
      expect(isNotFound(await repo.fetchManifest('a').catch((e: unknown) => e))).toBe(true);
    });

    describe('through a faulty proxy', () => {
      it('rejects bytes that do not match the digest and stores nothing', async () => {
        const image = randomImage({ layerSize: 100_000, seed: 'corrupt-proxy' });
        await pushImage(`${registry.host}/corrupt:1`, { image, client });
        const proxy = await startFaultProxy(registry.host);
        try {
          const layerDigest = await (await image.layers())[0]!.digest();
          proxy.inject({ type: 'corrupt', path: new RegExp(`/blobs/${layerDigest}$`) });
          const contentStore = createMemoryContentStore();
          const err = await pullImage(`${proxy.host}/corrupt:1`, { contentStore, client }).done.catch((e: unknown) => e);
          expect(isInvalidArgument(err)).toBe(true);
          expect(await contentStore.has(layerDigest)).toBe(false);
          expect(await contentStore.ingests()).toEqual([]);
        } finally {
          await proxy.close();
        }
      });

      it('resumes a large blob cut mid-way with a Range request', async () => {
        const image = randomImage({ layerSize: 3_000_000, seed: 'cut-proxy' });
        await pushImage(`${registry.host}/cut:1`, { image, client });
        const proxy = await startFaultProxy(registry.host);
        try {
          const layerDigest = await (await image.layers())[0]!.digest();
          proxy.inject({ type: 'cut', path: new RegExp(`/blobs/${layerDigest}$`), afterBytes: 1_000_000 });
          const contentStore = createMemoryContentStore();
          const result = await pullImage(`${proxy.host}/cut:1`, { contentStore, client });
          expect(result.manifest.digest).toBe(await image.digest());
          expect(await contentStore.has(layerDigest)).toBe(true);
          const ranged = proxy.requests.filter((r) => r.path.endsWith(layerDigest) && r.range);
          expect(ranged).toHaveLength(1);
          expect(ranged[0]!.range).toMatch(/^bytes=\d+-$/);
          expect(ranged[0]!.status).toBe(206);
        } finally {
          await proxy.close();
        }
      });

      it('retries a 429 with Retry-After', async () => {
        const image = randomImage({ seed: 'busy-proxy' });
        await pushImage(`${registry.host}/busy:1`, { image, client });
        const proxy = await startFaultProxy(registry.host);
        try {
          proxy.inject({ type: 'status', path: /\/manifests\//, status: 429, retryAfter: '1' });
          const result = await pullImage(`${proxy.host}/busy:1`, { contentStore: createMemoryContentStore(), client });
          expect(result.manifest.digest).toBe(await image.digest());
          expect(proxy.requests.filter((r) => r.path.includes('/manifests/')).map((r) => r.status)).toEqual([429, 200]);
        } finally {
          await proxy.close();
        }
      });
    });

    it('pulls what skopeo pushed from an OCI layout, and skopeo pulls what Berth pushed, with equal digests', async () => {
      const work = await makeTempDir('registry-client-skopeo');
      try {
        const fromSkopeo = multiLayerImage();
        await writeOciLayout(join(work.path, 'layout'), [{ image: fromSkopeo, refName: 'v1' }]);
        await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--preserve-digests', `oci:${join(work.path, 'layout')}:v1`, `docker://${registry.host}/by-skopeo:v1`]);
        const pulled = await pullImage(`${registry.host}/by-skopeo:v1`, { contentStore: createMemoryContentStore(), client });
        expect(pulled.manifest.digest).toBe(await fromSkopeo.digest());

        const fromBerth = randomImage({ layers: 2, seed: 'by-berth' });
        await pushImage(`${registry.host}/by-berth:v1`, { image: fromBerth, client });
        const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/by-berth:v1`]);
        const raw = Buffer.from(stdout);
        expect(raw.equals(Buffer.from(await fromBerth.rawManifest()))).toBe(true);
        await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--preserve-digests', `docker://${registry.host}/by-berth:v1`, `oci:${join(work.path, 'out')}:v1`]);
        const index = JSON.parse(await readFile(join(work.path, 'out', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
        expect(index.manifests[0]!.digest).toBe(await fromBerth.digest());
      } finally {
        await work.remove();
      }
    });
  });

  describe('with htpasswd basic auth', () => {
    let dir: { path: string; remove: () => Promise<void> };
    let registry: DockerRegistry;

    beforeAll(async () => {
      dir = await makeTempDir('registry-client-htpasswd');
      registry = await startDockerRegistry({ dir: dir.path, htpasswd: { alice: 'correct-horse' } });
    });
    afterAll(async () => {
      await registry?.stop();
      await dir?.remove();
    });

    it('pushes and pulls with the right password', async () => {
      const image = busyboxImage();
      const auth = { username: 'alice', password: 'correct-horse' };
      await pushImage(`${registry.host}/private/busybox:1`, { image, auth });
      const result = await pullImage(`${registry.host}/private/busybox:1`, { contentStore: createMemoryContentStore(), auth });
      expect(result.manifest.digest).toBe(await image.digest());
    });

    it('fails with Unauthorized naming the registry for a wrong password', async () => {
      const err = await pullImage(`${registry.host}/private/busybox:1`, {
        contentStore: createMemoryContentStore(),
        auth: { username: 'alice', password: 'wrong' },
      }).done.catch((e: unknown) => e);
      expect(isUnauthorized(err)).toBe(true);
      expect((err as Error).message).toContain(`registry ${registry.host}`);
    });
  });

  describe('with token auth (RS256 JWTs from a test token server)', () => {
    let dir: { path: string; remove: () => Promise<void> };
    let registry: DockerRegistry;
    let tokens: TokenServer;

    beforeAll(async () => {
      dir = await makeTempDir('registry-client-token');
      const signing = await makeSigningCert(dir.path);
      tokens = await startTokenServer({ issuer: 'berth-test-issuer', service: 'berth-test-registry', certPem: signing.certPem, keyPem: signing.keyPem, users: { bob: 's3cret' } });
      registry = await startDockerRegistry({
        dir: dir.path,
        token: { realm: `${tokens.url}/token`, service: 'berth-test-registry', issuer: 'berth-test-issuer', certPath: signing.certPath },
      });
    });
    afterAll(async () => {
      await registry?.stop();
      await tokens?.close();
      await dir?.remove();
    });

    it('pushes and pulls with bearer tokens per scope, and mounts across repositories', async () => {
      const index = multiPlatformIndex();
      const client = createRegistryClient({ credentials: staticCredentials({ [registry.host]: { username: 'bob', password: 's3cret' } }) });
      try {
        await pushImage(`${registry.host}/team/app:1`, { image: index, client });
        const result = await pullImage(`${registry.host}/team/app:1`, { contentStore: createMemoryContentStore(), platform: 'linux/amd64', client });
        expect(result.target.digest).toBe(await index.digest());
        expect(tokens.requests.some((scopes) => scopes.includes('repository:team/app:pull,push'))).toBe(true);
        const mounted = await pushImage(`${registry.host}/team/other:1`, { image: await index.image(result.manifest.digest), client, mountFrom: ['team/app'] });
        expect(mounted.uploadedBytes).toBe(0);
      } finally {
        client.close();
      }
    });

    it('fails with Unauthorized for a wrong password and for anonymous access', async () => {
      const wrong = await pullImage(`${registry.host}/team/app:1`, {
        contentStore: createMemoryContentStore(),
        auth: { username: 'bob', password: 'nope' },
      }).done.catch((e: unknown) => e);
      expect(isUnauthorized(wrong)).toBe(true);
      expect((wrong as Error).message).toContain(`registry ${registry.host}`);
      const anonymous = await pullImage(`${registry.host}/team/app:1`, { contentStore: createMemoryContentStore() }).done.catch((e: unknown) => e);
      expect(isUnauthorized(anonymous)).toBe(true);
    });
  });

  describe('over TLS with a test CA', () => {
    let dir: { path: string; remove: () => Promise<void> };
    let registry: DockerRegistry;
    let caCert: string;

    beforeAll(async () => {
      dir = await makeTempDir('registry-client-tls');
      const pki = await makeTestPki(dir.path);
      caCert = pki.caCert;
      registry = await startDockerRegistry({ dir: dir.path, tls: { certPath: pki.serverCertPath, keyPath: pki.serverKeyPath } });
    });
    afterAll(async () => {
      await registry?.stop();
      await dir?.remove();
    });

    it('verifies the registry certificate against the given CA', async () => {
      const image = busyboxImage();
      const registryOptions = { hosts: { [registry.host]: { ca: caCert, insecure: false } } };
      await pushImage(`${registry.host}/secure/busybox:1`, { image, registry: registryOptions });
      const result = await pullImage(`${registry.host}/secure/busybox:1`, { contentStore: createMemoryContentStore(), registry: registryOptions });
      expect(result.manifest.digest).toBe(await image.digest());
    });

    it('refuses the certificate without the CA when the registry is not insecure', async () => {
      const err = await pullImage(`${registry.host}/secure/busybox:1`, {
        contentStore: createMemoryContentStore(),
        registry: { hosts: { [registry.host]: { insecure: false } }, retry: fastRetry },
      }).done.catch((e: unknown) => e);
      expect(isUnavailable(err)).toBe(true);
      expect((err as Error).message).toContain('TLS');
    });
  });
});
