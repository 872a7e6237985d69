import { execFile } from 'node:child_process';
import { chmod, chown, link, lstat, mkdir, readFile, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCopySnapshotter, mountsToDirectory } from '@berth/image';
import { describeSnapshotter } from '@berth/image/conformance';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseLeakedMounts } from './fixtures.js';

const execFileAsync = promisify(execFile);
const isRoot = process.getuid?.() === 0;

describeSnapshotter('copy', createCopySnapshotter, { needsRoot: false });

describe('copy snapshotter', () => {
  let temp: { path: string; remove: () => Promise<void> };

  beforeEach(async () => {
    temp = await makeTempDir('berth-copy-snapshotter');
  });
  afterEach(async () => {
    const leaked = await releaseLeakedMounts(temp.path);
    await temp.remove();
    expect(leaked).toEqual([]);
  });

  it('asks for OCI whiteouts and hands out plain bind mounts', async () => {
    const snapshotter = await createCopySnapshotter({ root: join(temp.path, 'root') });
    expect(snapshotter.whiteoutFormat).toBe('oci');
    const mounts = await snapshotter.prepare('a');
    expect(mounts).toEqual([{ type: 'bind', source: await snapshotter.applyTarget('a'), options: ['rbind', 'rw'] }]);
    expect(mountsToDirectory(mounts)).toBe(await snapshotter.applyTarget('a'));
  });

  it('copies the parent tree keeping modes, symlinks, hard links and mtimes', async () => {
    const snapshotter = await createCopySnapshotter({ root: join(temp.path, 'root') });
    await snapshotter.prepare('base-work');
    const base = await snapshotter.applyTarget('base-work');
    await mkdir(join(base, 'bin'), { mode: 0o750 });
    await writeFile(join(base, 'bin/tool'), 'tool');
    await chmod(join(base, 'bin/tool'), 0o4755);
    await link(join(base, 'bin/tool'), join(base, 'bin/tool-link'));
    await symlink('tool', join(base, 'bin/alias'));
    await symlink('/nonexistent/target', join(base, 'dangling'));
    const old = new Date('2001-02-03T04:05:06Z');
    await utimes(join(base, 'bin/tool'), old, old);
    await snapshotter.commit('base', 'base-work');

    await snapshotter.prepare('child', 'base');
    const child = await snapshotter.applyTarget('child');
    expect((await stat(join(child, 'bin'))).mode & 0o7777).toBe(0o750);
    const tool = await stat(join(child, 'bin/tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect(tool.mtime.getTime()).toBe(old.getTime());
    expect(tool.nlink).toBe(2);
    expect((await stat(join(child, 'bin/tool-link'))).ino).toBe(tool.ino);
    expect(await readlink(join(child, 'bin/alias'))).toBe('tool');
    expect(await readlink(join(child, 'dangling'))).toBe('/nonexistent/target');
    // A copy, not a link into the parent: writes in the child leave the parent alone.
    expect(tool.ino).not.toBe((await stat(join(base, 'bin/tool'))).ino);
    await writeFile(join(child, 'bin/tool'), 'changed');
    expect(await readFile(join(base, 'bin/tool'), 'utf8')).toBe('tool');
  });

  it.runIf(isRoot)('copies owners, device nodes and trusted xattrs when root', async () => {
    const snapshotter = await createCopySnapshotter({ root: join(temp.path, 'root') });
    await snapshotter.prepare('base-work');
    const base = await snapshotter.applyTarget('base-work');
    await writeFile(join(base, 'owned'), 'x');
    await chown(join(base, 'owned'), 1234, 5678);
    await execFileAsync('mknod', [join(base, 'null'), 'c', '1', '3']);
    await execFileAsync('setfattr', ['-n', 'trusted.berth', '-v', 'yes', join(base, 'owned')]);
    await snapshotter.commit('base', 'base-work');
    await snapshotter.prepare('child', 'base');
    const child = await snapshotter.applyTarget('child');
    const owned = await stat(join(child, 'owned'));
    expect([owned.uid, owned.gid]).toEqual([1234, 5678]);
    const device = await lstat(join(child, 'null'));
    expect(device.isCharacterDevice()).toBe(true);
    expect(device.rdev).toBe((await lstat(join(base, 'null'))).rdev);
    const { stdout } = await execFileAsync('getfattr', ['--only-values', '-n', 'trusted.berth', join(child, 'owned')]);
    expect(stdout).toBe('yes');
  });

  it('makes a view a read-only bind of its parent, without copying', async () => {
    const snapshotter = await createCopySnapshotter({ root: join(temp.path, 'root') });
    await snapshotter.prepare('work');
    await writeFile(join(await snapshotter.applyTarget('work'), 'big'), 'y'.repeat(100_000));
    await snapshotter.commit('base', 'work');
    const view = await snapshotter.view('look', 'base');
    expect(view).toHaveLength(1);
    expect(view[0]!.options).toContain('ro');
    expect(await readFile(join(mountsToDirectory(view), 'big'), 'utf8')).toHaveLength(100_000);
    expect((await snapshotter.usage('look')).inodes).toBe(1);
  });
});
