import { mkdtemp, readFile, rm, stat, writeFile, link, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorCode } from '@berth/errdefs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VolumeDriver } from '../volume-driver.js';

/** What the suite must know about a driver beyond its own `capabilities`. */
export interface VolumeDriverSuiteCapabilities {
  /** Opening the driver again on the same root finds its volumes and their data. */
  persistent: boolean;
}

/** Opens a driver keeping its state under `root` (a fresh temporary directory per test). */
export type VolumeDriverSuiteFactory = (options: { root: string }) => Promise<VolumeDriver>;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to reject');
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await rejection(promise);
  expect(errorCode(err), String(err)).toBe(code);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The behaviour every {@link VolumeDriver} must have: create/get/list/remove with Docker's
 * name rules and error codes, unknown options refused, mounts reference counted by mount
 * ID (same ID counts once, unknown IDs ignored on unmount, removal refused while mounted),
 * data kept between mounts and gone after removal, `usage` counting hard links once (when
 * the driver has the capability), and persistence across reopening (when declared).
 */
export function describeVolumeDriver(
  name: string,
  factory: VolumeDriverSuiteFactory,
  capabilities: VolumeDriverSuiteCapabilities,
): void {
  describe(`volume driver conformance: ${name}`, () => {
    let root: string;
    let driver: VolumeDriver;

    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), 'berth-volume-suite-'));
      driver = await factory({ root });
    });

    afterEach(async () => {
      for (const volume of await driver.list()) {
        for (const id of await driver.mounts(volume.name)) await driver.unmount(volume.name, id);
        await driver.remove(volume.name);
      }
      await driver.close();
      await rm(root, { recursive: true, force: true });
    });

    it('creates an empty volume it can then get and list', async () => {
      const before = Date.now();
      const created = await driver.create('data', { options: {} });
      expect(created.name).toBe('data');
      expect(created.options).toEqual({});
      expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect((await stat(created.mountpoint)).isDirectory()).toBe(true);
      expect(await driver.get('data')).toEqual(created);
      expect((await driver.list()).map((v) => v.name)).toEqual(['data']);
    });

    it('refuses a second volume with the same name (AlreadyExists)', async () => {
      await driver.create('twice');
      await expectCode(driver.create('twice'), 'AlreadyExists');
    });

    it.each(['', 'a', '.hidden', '..', '../escape', 'a/b', '/abs', 'sp ace', '-dash'])(
      'refuses the invalid name %j (InvalidArgument)',
      async (bad) => {
        await expectCode(driver.create(bad), 'InvalidArgument');
        expect(await driver.list()).toEqual([]);
      },
    );

    it('refuses an option it does not know (InvalidArgument) and creates nothing', async () => {
      await expectCode(driver.create('opts', { options: { 'no-such-option': 'x' } }), 'InvalidArgument');
      await expectCode(driver.get('opts'), 'NotFound');
    });

    it('answers NotFound for unknown volumes', async () => {
      await expectCode(driver.get('missing'), 'NotFound');
      await expectCode(driver.remove('missing'), 'NotFound');
      await expectCode(driver.mount('missing', 'm1'), 'NotFound');
      await expectCode(driver.mounts('missing'), 'NotFound');
    });

    it('keeps volumes apart', async () => {
      const a = await driver.create('vol-a');
      const b = await driver.create('vol-b');
      expect(a.mountpoint).not.toBe(b.mountpoint);
      await writeFile(join(await driver.mount('vol-a', 'm'), 'f'), 'a');
      expect(await exists(join(await driver.mount('vol-b', 'm'), 'f'))).toBe(false);
    });

    it('mounts at the mount point and keeps data between mounts', async () => {
      const volume = await driver.create('keep');
      const path = await driver.mount('keep', 'first');
      expect(path).toBe(volume.mountpoint);
      await writeFile(join(path, 'file.txt'), 'hello');
      await driver.unmount('keep', 'first');
      const again = await driver.mount('keep', 'second');
      expect(await readFile(join(again, 'file.txt'), 'utf8')).toBe('hello');
    });

    it('counts mounts by ID: the same ID once, unknown IDs ignored', async () => {
      await driver.create('counted');
      await driver.mount('counted', 'c1');
      await driver.mount('counted', 'c1');
      await driver.mount('counted', 'c2');
      expect((await driver.mounts('counted')).sort()).toEqual(['c1', 'c2']);
      await driver.unmount('counted', 'never-mounted');
      await driver.unmount('counted', 'c1');
      expect(await driver.mounts('counted')).toEqual(['c2']);
      await driver.unmount('counted', 'c2');
      expect(await driver.mounts('counted')).toEqual([]);
    });

    it('keeps its count straight under concurrent mounts and unmounts', async () => {
      await driver.create('crowded');
      const ids = Array.from({ length: 8 }, (_, i) => `m${i}`);
      const paths = await Promise.all(ids.map((id) => driver.mount('crowded', id)));
      expect(new Set(paths).size).toBe(1);
      expect((await driver.mounts('crowded')).sort()).toEqual(ids);
      await Promise.all(ids.slice(0, 5).map((id) => driver.unmount('crowded', id)));
      expect((await driver.mounts('crowded')).sort()).toEqual(ids.slice(5));
      await Promise.all(ids.slice(5).map((id) => driver.unmount('crowded', id)));
      expect(await driver.mounts('crowded')).toEqual([]);
      await driver.remove('crowded');
    });

    it('refuses to remove a mounted volume (Conflict) and removes it once released', async () => {
      const volume = await driver.create('busy');
      await driver.mount('busy', 'holder');
      await expectCode(driver.remove('busy'), 'Conflict');
      expect((await driver.get('busy')).name).toBe('busy');
      await driver.unmount('busy', 'holder');
      await driver.remove('busy');
      await expectCode(driver.get('busy'), 'NotFound');
      expect(await exists(volume.mountpoint)).toBe(false);
    });

    it('starts a re-created volume empty', async () => {
      await driver.create('again');
      await writeFile(join(await driver.mount('again', 'm'), 'old'), 'x');
      await driver.unmount('again', 'm');
      await driver.remove('again');
      await driver.create('again');
      expect(await exists(join(await driver.mount('again', 'm'), 'old'))).toBe(false);
    });

    it('reports usage when it has the capability, counting hard links once', async (context) => {
      if (!driver.capabilities.usage || driver.usage === undefined) {
        context.skip();
        return;
      }
      await driver.create('sized');
      expect(await driver.usage('sized')).toBe(0);
      const path = await driver.mount('sized', 'm');
      await writeFile(join(path, 'a'), Buffer.alloc(1000));
      await link(join(path, 'a'), join(path, 'b'));
      await writeFile(join(path, 'c'), Buffer.alloc(24));
      expect(await driver.usage('sized')).toBe(1024);
      await expectCode(driver.usage('missing'), 'NotFound');
    });

    it.runIf(capabilities.persistent)('finds its volumes and their data after reopening', async () => {
      const created = await driver.create('durable', { options: {} });
      await writeFile(join(await driver.mount('durable', 'm'), 'f'), 'kept');
      await driver.unmount('durable', 'm');
      await driver.close();
      driver = await factory({ root });
      const found = await driver.get('durable');
      expect(found.mountpoint).toBe(created.mountpoint);
      expect(found.createdAt.getTime()).toBe(created.createdAt.getTime());
      expect(await readFile(join(await driver.mount('durable', 'm'), 'f'), 'utf8')).toBe('kept');
    });
  });
}
