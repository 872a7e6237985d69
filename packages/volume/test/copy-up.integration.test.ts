import { execFileSync } from 'node:child_process';
import { chmod, chown, lchown, link, lstat, lutimes, mkdir, readFile, readdir, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { copyImageContentIntoVolume } from '@berth/volume';
import { afterEach, beforeEach, expect, it } from 'vitest';

describeIntegration('copy-up of image content into a volume', { root: true, commands: ['mknod', 'setfattr', 'getfattr'] }, () => {
  let root: string;
  let removeRoot: () => Promise<void>;
  let source: string;
  let volume: string;
  const mtime = new Date('2001-02-03T04:05:06Z');

  beforeEach(async () => {
    ({ path: root, remove: removeRoot } = await makeTempDir('berth-copy-up'));
    source = join(root, 'rootfs', 'var', 'lib', 'app');
    volume = join(root, 'volume');
    await mkdir(source, { recursive: true });
    await mkdir(volume);

    await chown(source, 70, 71);
    await chmod(source, 0o750);
    await mkdir(join(source, 'shared'));
    await chmod(join(source, 'shared'), 0o1777);
    await writeFile(join(source, 'secret'), 'top secret');
    await chown(join(source, 'secret'), 1000, 1001);
    await chmod(join(source, 'secret'), 0o640);
    await writeFile(join(source, 'tool'), '#!/bin/sh\n');
    await chmod(join(source, 'tool'), 0o4755);
    await utimes(join(source, 'tool'), mtime, mtime);
    await link(join(source, 'tool'), join(source, 'tool-link'));
    await symlink('/etc/passwd', join(source, 'abs-link'));
    await lchown(join(source, 'abs-link'), 5, 6);
    await lutimes(join(source, 'abs-link'), mtime, mtime);
    await symlink('missing-target', join(source, 'dangling'));
    execFileSync('mknod', [join(source, 'fifo'), 'p']);
    execFileSync('mknod', [join(source, 'null'), 'c', '1', '3']);
    await writeFile(join(source, 'with space=and\\odd'), 'x');
    execFileSync('setfattr', ['-n', 'user.origin', '-v', 'image', join(source, 'with space=and\\odd')]);
    execFileSync('setfattr', ['-n', 'security.capability', '-v', netRawCapability, join(source, 'tool')]);
    await utimes(join(source, 'shared'), mtime, mtime);
  });
  /** `cap_net_raw+ep` as a VFS_CAP_REVISION_2 `security.capability` value. */
  const netRawCapability = '0x0000000200200000000000000000000000000000';
  /** One extended attribute of `path`, hex-encoded (`0x…`), as `getfattr` prints it. */
  const xattr = (path: string, name: string) =>
    /=(0x[0-9a-f]+)/.exec(execFileSync('getfattr', ['-h', '-e', 'hex', '-n', name, path], { encoding: 'utf8' }))?.[1];

  afterEach(async () => {
    await removeRoot();
  });

  it('keeps owners, modes, times, symlinks, hard links and special files', async () => {
    expect(await copyImageContentIntoVolume(source, volume)).toBe(true);
    expect((await readdir(volume)).sort()).toEqual(
      ['abs-link', 'dangling', 'fifo', 'null', 'secret', 'shared', 'tool', 'tool-link', 'with space=and\\odd'].sort(),
    );

    const rootStats = await lstat(volume);
    expect([rootStats.uid, rootStats.gid, rootStats.mode & 0o7777]).toEqual([70, 71, 0o750]);

    const secret = await lstat(join(volume, 'secret'));
    expect([secret.uid, secret.gid, secret.mode & 0o7777]).toEqual([1000, 1001, 0o640]);
    expect(await readFile(join(volume, 'secret'), 'utf8')).toBe('top secret');

    const tool = await lstat(join(volume, 'tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect(tool.mtime.getTime()).toBe(mtime.getTime());
    expect(tool.nlink).toBe(2);
    expect((await lstat(join(volume, 'tool-link'))).ino).toBe(tool.ino);
    expect(xattr(join(volume, 'tool'), 'security.capability')).toBe(netRawCapability);
    expect(await readFile(join(volume, 'with space=and\\odd'), 'utf8')).toBe('x');
    expect(xattr(join(volume, 'with space=and\\odd'), 'user.origin')).toBe(Buffer.from('image').toString('hex').replace(/^/, '0x'));

    const shared = await lstat(join(volume, 'shared'));
    expect(shared.mode & 0o7777).toBe(0o1777);
    expect(shared.mtime.getTime()).toBe(mtime.getTime());

    const absLink = await lstat(join(volume, 'abs-link'));
    expect(absLink.isSymbolicLink()).toBe(true);
    expect(await readlink(join(volume, 'abs-link'))).toBe('/etc/passwd');
    expect([absLink.uid, absLink.gid]).toEqual([5, 6]);
    expect(absLink.mtime.getTime()).toBe(mtime.getTime());
    expect(await readlink(join(volume, 'dangling'))).toBe('missing-target');

    expect((await lstat(join(volume, 'fifo'))).isFIFO()).toBe(true);
    const nullDevice = await lstat(join(volume, 'null'));
    expect(nullDevice.isCharacterDevice()).toBe(true);
    expect(nullDevice.rdev).toBe((await lstat(join(source, 'null'))).rdev);
  });

  it('leaves a volume that has data alone', async () => {
    await writeFile(join(volume, 'mine'), 'keep');
    expect(await copyImageContentIntoVolume(source, volume)).toBe(false);
    expect(await readdir(volume)).toEqual(['mine']);
  });

  it('copies nothing from a path the image does not have or that is not a directory', async () => {
    expect(await copyImageContentIntoVolume(join(root, 'rootfs', 'nowhere'), volume)).toBe(false);
    expect(await copyImageContentIntoVolume(join(source, 'secret'), volume)).toBe(false);
    expect(await readdir(volume)).toEqual([]);
  });
});
