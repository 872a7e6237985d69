import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMemoryVolumeDriver } from '@berth/volume';
import { describe, expect, it } from 'vitest';

describe('memory driver simulations', () => {
  it('forgets tmpfs content after the last unmount', async () => {
    const driver = await createMemoryVolumeDriver();
    try {
      await driver.create('tmp1', { options: { type: 'tmpfs', device: 'tmpfs' } });
      const path = await driver.mount('tmp1', 'a');
      await writeFile(join(path, 'f'), 'x');
      await driver.mount('tmp1', 'b');
      await driver.unmount('tmp1', 'a');
      expect(await readdir(path)).toEqual(['f']);
      await driver.unmount('tmp1', 'b');
      expect(await readdir(path)).toEqual([]);
    } finally {
      await driver.close();
    }
  });

  it('mounts bind volumes as their device path', async () => {
    const driver = await createMemoryVolumeDriver({ now: () => new Date('2020-01-02T03:04:05Z') });
    try {
      const volume = await driver.create('bind1', { options: { type: 'none', o: 'bind', device: '/srv/data' } });
      expect(volume.createdAt.toISOString()).toBe('2020-01-02T03:04:05.000Z');
      expect(await driver.mount('bind1', 'a')).toBe('/srv/data');
      expect(volume.mountpoint).not.toBe('/srv/data');
    } finally {
      await driver.close();
    }
  });
});
