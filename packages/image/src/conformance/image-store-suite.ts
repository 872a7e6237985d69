import { isAlreadyExists, isInvalidArgument, isNotFound } from '@berth/errdefs';
import { type Descriptor, MediaTypes, digestOf } from '@berth/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageStore } from '../store/image-store.js';

/** One instance of the implementation under test, made fresh for every test. */
export interface ImageStoreFixture {
  store: ImageStore;
  /**
   * Opens the same store again, as after a restart. Persistent implementations provide it
   * and the suite then checks that every change survives; memory stores leave it out.
   */
  reopen?: () => Promise<ImageStore>;
  /** Removes whatever the fixture created (temp directories). */
  cleanup?: () => Promise<void>;
}

function manifestDescriptor(seed: string): Descriptor {
  return { mediaType: MediaTypes.OciManifest, digest: digestOf(seed), size: seed.length };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to reject');
}

/**
 * The behaviour every {@link ImageStore} must have (containerd's image store semantics):
 * records keyed by name, `AlreadyExists` on a duplicate create, `NotFound` on a missing
 * get/update/delete, copies out, and durability across `reopen` when the fixture has it.
 */
export function describeImageStore(name: string, factory: () => Promise<ImageStoreFixture>): void {
  describe(`ImageStore conformance: ${name}`, () => {
    let fixture: ImageStoreFixture;
    let store: ImageStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup?.();
    });

    it('creates a record and gets it back with timestamps and empty labels', async () => {
      const target = manifestDescriptor('a');
      const before = Date.now();
      const created = await store.create({ name: 'docker.io/library/busybox:latest', target });
      expect(created.name).toBe('docker.io/library/busybox:latest');
      expect(created.target).toEqual(target);
      expect(created.labels).toEqual({});
      expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(created.updatedAt.getTime()).toBe(created.createdAt.getTime());
      expect(await store.get('docker.io/library/busybox:latest')).toEqual(created);
    });

    it('refuses to create a name twice with AlreadyExists and keeps the first target', async () => {
      await store.create({ name: 'x:1', target: manifestDescriptor('a') });
      const err = await rejection(store.create({ name: 'x:1', target: manifestDescriptor('b') }));
      expect(isAlreadyExists(err)).toBe(true);
      expect((await store.get('x:1')).target.digest).toBe(digestOf('a'));
    });

    it('lets exactly one of two concurrent creates of a name win', async () => {
      const results = await Promise.allSettled([
        store.create({ name: 'race:1', target: manifestDescriptor('a') }),
        store.create({ name: 'race:1', target: manifestDescriptor('b') }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(isAlreadyExists(failed.reason)).toBe(true);
    });

    it('reports NotFound for get, update and delete of a missing name', async () => {
      expect(isNotFound(await rejection(store.get('missing:1')))).toBe(true);
      expect(isNotFound(await rejection(store.update('missing:1', { labels: {} })))).toBe(true);
      expect(isNotFound(await rejection(store.delete('missing:1')))).toBe(true);
    });

    it('lists every record sorted by name', async () => {
      await store.create({ name: 'b:1', target: manifestDescriptor('b') });
      await store.create({ name: 'a:1', target: manifestDescriptor('a') });
      await store.create({ name: 'c:1', target: manifestDescriptor('c') });
      expect((await store.list()).map((r) => r.name)).toEqual(['a:1', 'b:1', 'c:1']);
    });

    it('updates target and labels, keeping createdAt and fields not given', async () => {
      const created = await store.create({ name: 'u:1', target: manifestDescriptor('a'), labels: { keep: 'me' } });
      const retargeted = await store.update('u:1', { target: manifestDescriptor('b') });
      expect(retargeted.target.digest).toBe(digestOf('b'));
      expect(retargeted.labels).toEqual({ keep: 'me' });
      expect(retargeted.createdAt).toEqual(created.createdAt);
      expect(retargeted.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      const relabelled = await store.update('u:1', { labels: { other: 'x' } });
      expect(relabelled.labels).toEqual({ other: 'x' });
      expect(relabelled.target.digest).toBe(digestOf('b'));
      expect(await store.get('u:1')).toEqual(relabelled);
    });

    it('puts a new record, then replaces it keeping createdAt', async () => {
      const first = await store.put({ name: 'p:1', target: manifestDescriptor('a'), labels: { a: '1' } });
      const second = await store.put({ name: 'p:1', target: manifestDescriptor('b') });
      expect(second.createdAt).toEqual(first.createdAt);
      expect(second.target.digest).toBe(digestOf('b'));
      expect(second.labels).toEqual({});
      expect(await store.list()).toHaveLength(1);
    });

    it('deletes a record', async () => {
      await store.create({ name: 'd:1', target: manifestDescriptor('a') });
      await store.create({ name: 'd:2', target: manifestDescriptor('a') });
      await store.delete('d:1');
      expect(isNotFound(await rejection(store.get('d:1')))).toBe(true);
      expect((await store.list()).map((r) => r.name)).toEqual(['d:2']);
    });

    it('hands out copies: mutating a returned record changes nothing stored', async () => {
      const created = await store.create({ name: 'c:1', target: manifestDescriptor('a'), labels: { a: '1' } });
      created.labels.a = 'changed';
      created.target.size = 999;
      const listed = await store.list();
      listed[0]!.labels.b = 'added';
      const fetched = await store.get('c:1');
      expect(fetched.labels).toEqual({ a: '1' });
      expect(fetched.target.size).toBe(1);
    });

    it('refuses an empty name or a malformed target with InvalidArgument, storing nothing', async () => {
      expect(isInvalidArgument(await rejection(store.create({ name: '', target: manifestDescriptor('a') })))).toBe(true);
      const bad = { mediaType: MediaTypes.OciManifest, digest: 'sha256:nothex', size: 1 } as unknown as Descriptor;
      expect(isInvalidArgument(await rejection(store.create({ name: 'bad:1', target: bad })))).toBe(true);
      expect(isInvalidArgument(await rejection(store.put({ name: 'bad:1', target: bad })))).toBe(true);
      expect(await store.list()).toEqual([]);
    });

    it('keeps descriptor fields such as annotations and platform', async () => {
      const target: Descriptor = {
        ...manifestDescriptor('a'),
        annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      };
      await store.create({ name: 'full:1', target });
      expect((await store.get('full:1')).target).toEqual(target);
    });

    it('keeps every change across a reopen (persistent stores)', async (context) => {
      if (!fixture.reopen) {
        context.skip();
        return;
      }
      await store.create({ name: 'keep:1', target: manifestDescriptor('a'), labels: { l: 'v' } });
      await store.create({ name: 'gone:1', target: manifestDescriptor('b') });
      await store.update('keep:1', { target: manifestDescriptor('c') });
      await store.put({ name: 'put:1', target: manifestDescriptor('d') });
      await store.delete('gone:1');
      const expected = await store.list();
      const reopened = await fixture.reopen();
      expect(await reopened.list()).toEqual(expected);
      expect((await reopened.get('keep:1')).target.digest).toBe(digestOf('c'));
    });
  });
}
