import { randomBytes } from 'node:crypto';
import type { Snapshotter, SnapshotInfo, WhiteoutFormat } from '@berth/image';
import { busyboxImage, tarOf } from '@berth/image/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryEngine } from '@berth/engine';
import { containerSizer, writableLayerSize } from '../src/containers/container-size.js';
import type { EngineContext } from '../src/internal/engine-context.js';

/** A snapshotter answering `usage` and `stat` from tables; it counts the usages measured at once. */
function fakeSnapshotter(whiteoutFormat: WhiteoutFormat, usages: Record<string, number>, parents: Record<string, string> = {}) {
  let running = 0;
  let peak = 0;
  let release: () => void = () => undefined;
  let gate: Promise<void> | undefined;
  const measured: string[] = [];
  const snapshotter = {
    whiteoutFormat,
    async usage(key: string) {
      measured.push(key);
      running += 1;
      peak = Math.max(peak, running);
      try {
        if (gate) await gate;
        const size = usages[key];
        if (size === undefined) throw Object.assign(new Error(`no snapshot ${key}`), { code: 'NotFound' });
        return { size, inodes: 1 };
      } finally {
        running -= 1;
      }
    },
    async stat(key: string): Promise<SnapshotInfo> {
      return { key, kind: 'active', ...(parents[key] ? { parent: parents[key] } : {}), labels: {}, createdAt: new Date(0) };
    },
  } as unknown as Snapshotter;
  return {
    snapshotter,
    measured,
    peak: () => peak,
    /** Holds every `usage` until `open()`, so concurrent measures pile up. */
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    open() {
      release();
    },
  };
}

function contextOf(snapshotter: Snapshotter, imageSizes: Record<string, number>, inspected: string[] = []): EngineContext {
  return {
    components: { snapshotter },
    images: {
      async inspect(id: string) {
        inspected.push(id);
        const size = imageSizes[id];
        if (size === undefined) throw Object.assign(new Error(`No such image: ${id}`), { code: 'NotFound' });
        return { Size: size };
      },
    },
  } as unknown as EngineContext;
}

describe('container sizes', () => {
  it('takes an overlay snapshot’s usage as the writable layer', async () => {
    const { snapshotter } = fakeSnapshotter('overlay', { 'container-a': 5000, image: 90_000 }, { 'container-a': 'image' });
    expect(await writableLayerSize(snapshotter, 'a')).toBe(5000);
  });

  it('takes the parent’s usage off a copying snapshot’s, never below 0', async () => {
    const { snapshotter } = fakeSnapshotter('oci', { 'container-a': 95_000, 'container-b': 80_000, image: 90_000 }, { 'container-a': 'image', 'container-b': 'image' });
    expect(await writableLayerSize(snapshotter, 'a')).toBe(5000);
    expect(await writableLayerSize(snapshotter, 'b')).toBe(0);
  });

  it('measures a copying snapshot’s parent once for all the containers of a listing', async () => {
    const fake = fakeSnapshotter('oci', { 'container-a': 91_000, 'container-b': 92_000, image: 90_000 }, { 'container-a': 'image', 'container-b': 'image' });
    const measure = containerSizer(contextOf(fake.snapshotter, { 'sha256:one': 500 }));
    const sizes = await Promise.all([measure({ id: 'a', imageId: 'sha256:one' }), measure({ id: 'b', imageId: 'sha256:one' })]);
    expect(sizes).toEqual([
      { sizeRw: 1000, sizeRootFs: 1500 },
      { sizeRw: 2000, sizeRootFs: 2500 },
    ]);
    expect(fake.measured.filter((key) => key === 'image')).toHaveLength(1);
  });

  it('measures a container without a snapshot as 0', async () => {
    const { snapshotter } = fakeSnapshotter('overlay', {});
    expect(await writableLayerSize(snapshotter, 'gone')).toBe(0);
  });

  it('adds the image size to the writable layer, looks each image up once, and counts a missing image as 0', async () => {
    const { snapshotter } = fakeSnapshotter('overlay', { 'container-a': 10, 'container-b': 20, 'container-c': 30 });
    const inspected: string[] = [];
    const measure = containerSizer(contextOf(snapshotter, { 'sha256:one': 1000 }, inspected));
    const sizes = await Promise.all([
      measure({ id: 'a', imageId: 'sha256:one' }),
      measure({ id: 'b', imageId: 'sha256:one' }),
      measure({ id: 'c', imageId: 'sha256:gone' }),
    ]);
    expect(sizes).toEqual([
      { sizeRw: 10, sizeRootFs: 1010 },
      { sizeRw: 20, sizeRootFs: 1020 },
      { sizeRw: 30, sizeRootFs: 30 },
    ]);
    expect(inspected.sort()).toEqual(['sha256:gone', 'sha256:one']);
  });

  it('measures many containers concurrently, but at most 4 at once', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const fake = fakeSnapshotter('overlay', Object.fromEntries(ids.map((id) => [`container-${id}`, 1])));
    const measure = containerSizer(contextOf(fake.snapshotter, { 'sha256:one': 1 }));
    fake.hold();
    const all = Promise.all(ids.map((id) => measure({ id, imageId: 'sha256:one' })));
    // Let every measure that may start do so before the gate opens.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.peak()).toBe(4);
    fake.open();
    expect((await all).every((s) => s.sizeRw === 1 && s.sizeRootFs === 2)).toBe(true);
    expect(fake.peak()).toBe(4);
  });

  it('lists a memory engine container with its own layer, not the copied image tree, and df reports the same sizes', async () => {
    const engine = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
    try {
      const { id } = await engine.containers.create({ image: 'busybox', cmd: ['true'] });
      const { id: idle } = await engine.containers.create({ image: 'busybox', cmd: ['true'] });
      await engine.containers.putArchive(id, '/', tarOf([{ type: 'file', path: 'data.bin', content: randomBytes(256 << 10) }])());
      const imageSize = (await engine.images.inspect('busybox')).size;
      const listed = await engine.containers.list({ all: true, size: true });
      const written = listed.find((c) => c.id === id)!;
      const untouched = listed.find((c) => c.id === idle)!;
      expect(written.sizeRw).toBeGreaterThanOrEqual(256 << 10);
      // The copying snapshotter's full tree is not counted as the container's own.
      expect(written.sizeRw).toBeLessThan((256 << 10) + imageSize);
      expect(untouched.sizeRw).toBeLessThan(64 << 10);
      expect(untouched.sizeRootFs).toBe(untouched.sizeRw! + imageSize);
      const usage = await engine.system.df();
      expect(usage.containers.find((c) => c.id === id)?.sizeRw).toBe(written.sizeRw);
      expect(usage.containers.find((c) => c.id === id)?.sizeRootFs).toBe(written.sizeRootFs);
    } finally {
      await engine.close();
    }
  });
});
