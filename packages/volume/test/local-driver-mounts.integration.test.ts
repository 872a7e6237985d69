import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '@berth/errdefs';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { createLocalVolumeDriver, type VolumeDriver } from '@berth/volume';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isMountPoint, mountPointsUnder } from '../src/internal/mount-table.js';

describeIntegration('local driver mount options', { root: true, commands: ['mount', 'umount'] }, () => {
  let root: string;
  let removeRoot: () => Promise<void>;
  let driver: VolumeDriver;

  beforeEach(async () => {
    ({ path: root, remove: removeRoot } = await makeTempDir('berth-volume-mounts'));
    driver = await createLocalVolumeDriver({ root: join(root, 'volumes') });
  });

  afterEach(async () => {
    // Never leave a mount behind, even when a test failed half-way.
    for (const point of await mountPointsUnder(root)) execFileSync('umount', ['-l', point]);
    await removeRoot();
  });

  it('mounts a tmpfs with its options at the first mount and drops it after the last', async () => {
    await driver.create('scratch', { options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000' } });
    const path = await driver.mount('scratch', 'c1');
    expect(await isMountPoint(path)).toBe(true);
    expect((await stat(path)).uid).toBe(1000);
    await writeFile(join(path, 'f'), 'in memory');
    await driver.mount('scratch', 'c2');
    await driver.unmount('scratch', 'c1');
    expect(await isMountPoint(path)).toBe(true);
    await driver.unmount('scratch', 'c2');
    expect(await isMountPoint(path)).toBe(false);
    expect(await readdir(path)).toEqual([]);
    await driver.remove('scratch');
  });

  it('bind-mounts a host directory and never deletes through it', async () => {
    const host = join(root, 'host-dir');
    await mkdir(host);
    await writeFile(join(host, 'existing'), 'host data');
    await driver.create('bound', { options: { type: 'none', o: 'bind', device: host } });
    const path = await driver.mount('bound', 'c1');
    expect(await readFile(join(path, 'existing'), 'utf8')).toBe('host data');
    await writeFile(join(path, 'written'), 'via volume');
    expect(await readFile(join(host, 'written'), 'utf8')).toBe('via volume');

    // An engine restart while mounted: the new driver adopts the mount, removal unmounts first.
    driver = await createLocalVolumeDriver({ root: join(root, 'volumes') });
    await driver.remove('bound');
    expect(await isMountPoint(path)).toBe(false);
    expect((await readdir(host)).sort()).toEqual(['existing', 'written']);
  });

  it('reports a mount that fails and records no mount', async () => {
    await driver.create('broken', { options: { type: 'none', o: 'bind', device: join(root, 'does-not-exist') } });
    const err = await driver.mount('broken', 'c1').catch((e: unknown) => e);
    expect(errorCode(err)).toBe('Internal');
    expect(String(err)).toContain('failed to mount local volume');
    expect(await driver.mounts('broken')).toEqual([]);
    await driver.remove('broken');
  });
});
