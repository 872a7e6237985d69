import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  busyboxImage,
  emptyImage,
  fixtureMtime,
  fixturePlatforms,
  multiLayerExpectations,
  multiLayerImage,
  multiPlatformIndex,
  randomImage,
  randomLayer,
  tarOf,
} from '@berth/image/testing';
import { defaultPlatform, digestOf } from '@berth/spec';
import { describe, expect, it } from 'vitest';
import { digestOfStream, listTar } from './stream-helpers.js';

describe('randomLayer and randomImage', () => {
  it('are deterministic per seed and differ between seeds', async () => {
    const a = randomLayer({ seed: 1, size: 100_000 });
    const again = randomLayer({ seed: 1, size: 100_000 });
    const b = randomLayer({ seed: 2, size: 100_000 });
    expect(await a.digest()).toBe(await again.digest());
    expect(await a.diffId()).toBe(await again.diffId());
    expect(await a.digest()).not.toBe(await b.digest());
    expect((await digestOfStream(await a.compressed())).digest).toBe(await a.digest());
  });

  it('holds one file of the requested size', async () => {
    const entries = await listTar(await randomLayer({ seed: 'x', size: 5000 }).uncompressed());
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ name: 'random/x.bin', type: 'file', size: 5000, mtime: fixtureMtime.getTime() });
  });

  it('builds an image of several layers with matching diff IDs', async () => {
    const image = randomImage({ layers: 3, layerSize: 256, seed: 'img' });
    const layers = await image.layers();
    expect(layers).toHaveLength(3);
    expect((await image.config()).rootfs.diff_ids).toEqual(await Promise.all(layers.map((l) => l.diffId())));
    expect(await randomImage({ layers: 3, layerSize: 256, seed: 'img' }).digest()).toBe(await image.digest());
    expect(await randomImage({ layers: 3, layerSize: 256, seed: 'other' }).digest()).not.toBe(await image.digest());
  });

  it('emptyImage has no layers', async () => {
    expect(await emptyImage().layers()).toEqual([]);
    expect((await emptyImage({ platform: { os: 'linux', architecture: 'riscv64' } }).config()).architecture).toBe('riscv64');
  });
});

describe('tarOf', () => {
  it('gives byte-identical tars every time', async () => {
    const make = tarOf([
      { type: 'dir', path: 'a', mode: 0o700 },
      { type: 'file', path: 'a/f', content: 'x' },
      { type: 'symlink', path: 'a/s', target: 'f' },
      { type: 'whiteout', path: 'a/gone' },
      { type: 'opaque', path: 'b' },
    ]);
    const first = await digestOfStream(make());
    const second = await digestOfStream(make());
    expect(first).toEqual(second);
    const names = (await listTar(make())).map((e) => e.name);
    expect(names).toEqual(['a', 'a/f', 'a/s', 'a/.wh.gone', 'b/.wh..wh..opq']);
  });
});

describe('busyboxImage', () => {
  it('packages /bin/busybox with applet symlinks, users, /tmp and /root', async () => {
    const image = busyboxImage();
    const layers = await image.layers();
    expect(layers).toHaveLength(1);
    const entries = await listTar(await layers[0]!.uncompressed());
    const byName = new Map(entries.map((e) => [e.name, e]));
    const busybox = readFileSync('/bin/busybox');
    expect(byName.get('bin/busybox')).toMatchObject({ type: 'file', mode: 0o755 });
    for (const applet of ['sh', 'ls', 'cat', 'echo', 'true', 'false', 'sleep', 'env', 'id', 'wget', 'httpd', 'ping', 'nslookup', 'mkdir', 'rm']) {
      expect(byName.get(`bin/${applet}`), applet).toMatchObject({ type: 'symlink', linkname: 'busybox' });
    }
    expect(byName.get('tmp')).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(byName.get('root')).toMatchObject({ type: 'directory', mode: 0o700 });
    expect(byName.get('etc/passwd')!.content).toMatch(/^root:x:0:0:/m);
    expect(byName.get('etc/passwd')!.content).toMatch(/^nobody:x:65534:65534:/m);
    expect(byName.get('etc/group')!.content).toMatch(/^root:x:0:/m);
    expect(entries.every((e) => e.mtime === fixtureMtime.getTime())).toBe(true);
    // the binary itself is in the layer, unchanged
    const { size } = await digestOfStream(await layers[0]!.uncompressed());
    expect(size).toBeGreaterThan(busybox.byteLength);
  });

  it('has Cmd sh, PATH and this machine’s platform, and stable digests', async () => {
    const image = busyboxImage();
    const config = await image.config();
    expect(config.config?.Cmd).toEqual(['sh']);
    expect(config.config?.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect({ os: config.os, architecture: config.architecture }).toMatchObject({ os: defaultPlatform().os, architecture: defaultPlatform().architecture });
    expect(await busyboxImage().digest()).toBe(await image.digest());
    // The compressed blob is what the digest says.
    const layer = (await image.layers())[0]!;
    expect((await digestOfStream(await layer.compressed())).digest).toBe(await layer.digest());
  });

  it('reports a missing busybox as FailedPrecondition', async () => {
    expect(() => busyboxImage({ busyboxPath: '/nonexistent/busybox' })).toThrow(expect.objectContaining({ code: 'FailedPrecondition' }));
  });
});

describe('multiLayerImage', () => {
  it('stacks two change layers with whiteouts, an opaque dir, a hardlink and a symlink', async () => {
    const image = multiLayerImage();
    const layers = await image.layers();
    expect(layers).toHaveLength(3);
    expect(await layers[0]!.digest()).toBe(await (await busyboxImage().layers())[0]!.digest());
    const top = await listTar(await layers[2]!.uncompressed());
    const names = top.map((e) => e.name);
    expect(names).toContain('app/.wh.delete-me.txt');
    expect(names).toContain('app/.wh.old-dir');
    expect(names).toContain('app/config/.wh..wh..opq');
    expect(top.find((e) => e.name === 'app/hardlink.txt')).toMatchObject({ type: 'link', linkname: 'app/linked.txt' });
    expect(top.find((e) => e.name === 'app/symlink.txt')).toMatchObject({ type: 'symlink', linkname: 'keep.txt' });
    expect(top.find((e) => e.name === 'etc/motd')!.content).toBe(multiLayerExpectations.files['etc/motd']);
    const history = (await image.config()).history!;
    expect(history).toHaveLength(3);
  });
});

describe('multiPlatformIndex', () => {
  it('lists amd64, arm64/v8 and arm/v7, with busybox itself for this machine', async () => {
    const index = multiPlatformIndex();
    const manifest = await index.manifest();
    expect(manifest.manifests.map((m) => m.platform)).toEqual(fixturePlatforms);
    const host = defaultPlatform();
    const hostEntry = manifest.manifests.find((m) => m.platform?.architecture === host.architecture);
    if (hostEntry) expect(hostEntry.digest).toBe(await busyboxImage().digest());
    for (const descriptor of manifest.manifests) {
      const image = await index.image(descriptor.digest);
      const config = await image.config();
      expect(config.architecture).toBe(descriptor.platform!.architecture);
      expect(config.variant).toBe(descriptor.platform!.variant);
      expect(descriptor.digest).toBe(digestOf(await image.rawManifest()));
      expect((await image.manifest()).layers[0]!.digest).toBe((await (await busyboxImage().manifest()).layers[0]!).digest);
    }
    expect(await multiPlatformIndex().digest()).toBe(await index.digest());
  });
});

it('fixture digests do not depend on the process (same tar bytes from a fresh factory)', async () => {
  const layer = (await busyboxImage().layers())[0]!;
  const hash = createHash('sha256');
  for await (const chunk of await layer.uncompressed()) hash.update(chunk);
  expect(`sha256:${hash.digest('hex')}`).toBe(await layer.diffId());
});
