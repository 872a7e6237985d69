import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { applyLayer } from '@berth/image';
import { type FixtureEntry, buildTar, comparable, hardlinkGroups, listTar, snapshotTree, streamOf } from './fixtures.js';

const long = `deep/${'d'.repeat(90)}/${'e'.repeat(90)}/file-with-a-long-name`;

/** Three layers exercising every entry type, owners, modes, times, and every kind of deletion. */
const layers: FixtureEntry[][] = [
  [
    { name: 'bin/', mtime: 1_500_000_000 },
    { name: 'bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755, mtime: 1_500_000_001 },
    { name: 'bin/suid', content: 'suid', mode: 0o4755, mtime: 1_500_000_002 },
    { name: 'bin/sgid', content: 'sgid', mode: 0o2755, uid: 0, gid: 42 },
    { name: 'bin/sh', type: 'symlink', linkname: 'tool', mtime: 1_500_000_003 },
    { name: 'bin/tool-link', type: 'link', linkname: 'bin/tool' },
    { name: 'etc/', mtime: 1_500_000_004 },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n', mtime: 1_500_000_005 },
    { name: 'etc/old.conf', content: 'old', mtime: 1_500_000_006 },
    { name: 'etc/hosts', content: 'becomes a directory', mtime: 1_500_000_007 },
    { name: 'tmp/', mode: 0o1777, mtime: 1_500_000_008 },
    { name: 'home/user/', mode: 0o750, uid: 1000, gid: 1000, mtime: 1_500_000_009 },
    { name: 'home/user/notes', content: 'private', mode: 0o600, uid: 1000, gid: 1000, mtime: 1_500_000_010 },
    { name: 'home/user/hard', type: 'link', linkname: 'home/user/notes' },
    { name: 'run/fifo', type: 'fifo', mode: 0o620, uid: 5, gid: 6, mtime: 1_500_000_011 },
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666, mtime: 1_500_000_012 },
    { name: 'dev/loop9', type: 'block-device', devmajor: 7, devminor: 9, mode: 0o660, gid: 6, mtime: 1_500_000_013 },
    { name: 'opt/app/', mtime: 1_500_000_014 },
    { name: 'opt/app/a', content: 'a' },
    { name: 'opt/app/sub/c', content: 'c' },
    { name: 'var/cache/apt/pkgcache.bin', content: 'cache' },
    { name: 'var/lib/data/', mode: 0o700 },
    { name: 'var/lib/data/db', content: 'db' },
    { name: long, content: 'long', mtime: 1_500_000_015 },
    { name: 'long-link', type: 'symlink', linkname: `/${long}/${'t'.repeat(120)}` },
    { name: 'xattr-file', content: 'x', pax: { 'SCHILY.xattr.user.comment': 'kept' } },
  ],
  [
    { name: 'var/.wh.cache', content: '' },
    { name: 'etc/.wh.old.conf', content: '' },
    { name: 'opt/app/', mode: 0o711, mtime: 1_600_000_000 },
    { name: 'opt/app/.wh..wh..opq', content: '' },
    { name: 'opt/app/new', content: 'new', uid: 1234, gid: 5678, mode: 0o640, mtime: 1_600_000_001 },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n', mtime: 1_600_000_002 },
    { name: 'bin/tool', content: '#!/bin/sh\necho tool v2\n', mode: 0o700, mtime: 1_600_000_003 },
    { name: 'etc/hosts/', mode: 0o755 },
    { name: 'etc/hosts/inner', content: 'inner' },
    { name: 'var/lib/data', content: 'a directory became a file', mtime: 1_600_000_004 },
    { name: 'bin/suid-link', type: 'link', linkname: 'bin/suid' },
    { name: 'srv/', mode: 0o2775, uid: 33, gid: 33 },
    { name: 'srv/www', content: 'www', uid: 33, gid: 33 },
  ],
  [
    { name: 'home/user/.wh.hard', content: '' },
    { name: 'bin/.wh.sh', content: '' },
    { name: 'bin/sh', content: 'sh is now a file', mtime: 1_700_000_000 },
    { name: 'run/fifo', type: 'symlink', linkname: '/dev/null' },
    { name: 'srv/.wh..wh..opq', content: '' },
    { name: 'srv/fresh', content: 'fresh' },
  ],
];

/** What docker's applier does that GNU tar does not, done by hand before `tar -x`. */
async function prepareForGnuTar(root: string, layer: Buffer): Promise<void> {
  for (const entry of await listTar(layer)) {
    const name = entry.name.replace(/\/$/, '');
    const slash = name.lastIndexOf('/');
    const parent = slash === -1 ? '' : name.slice(0, slash + 1);
    const base = name.slice(slash + 1);
    if (base === '.wh..wh..opq') {
      for (const child of readdirSync(`${root}/${parent}`)) rmSync(`${root}/${parent}${child}`, { recursive: true });
    } else if (base.startsWith('.wh.')) {
      rmSync(`${root}/${parent}${base.slice(4)}`, { recursive: true, force: true });
    } else {
      // Docker semantics: anything but a directory merged with a directory is replaced.
      const existing = lstatSync(`${root}/${name}`, { throwIfNoEntry: false });
      if (existing && !(existing.isDirectory() && entry.type === 'directory')) rmSync(`${root}/${name}`, { recursive: true });
    }
  }
}

function xattrDump(root: string): string {
  return execFileSync('getfattr', ['-R', '-h', '-d', '-m', '^user\\.', '-e', 'hex', '.'], { cwd: root, encoding: 'utf8' });
}

describeIntegration('applyLayer matches GNU tar', { root: true, commands: ['tar', 'getfattr'] }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  let ours: string;
  let gnu: string;

  beforeAll(async () => {
    dir = await makeTempDir('berth-gnu-tar');
    ours = `${dir.path}/ours`;
    gnu = `${dir.path}/gnu`;
    mkdirSync(ours);
    mkdirSync(gnu);
    for (const [index, entries] of layers.entries()) {
      const tar = await buildTar(entries);
      await applyLayer(streamOf(tar, 10_000), ours, { whiteouts: 'oci' });
      const file = `${dir.path}/layer${index}.tar`;
      writeFileSync(file, tar);
      await prepareForGnuTar(gnu, tar);
      execFileSync('tar', ['-xpf', file, '--numeric-owner', '--xattrs', '--xattrs-include=*', '--exclude=.wh.*', '-C', gnu]);
    }
  });

  afterAll(async () => {
    await dir?.remove();
  });

  it('produces the same paths, types, modes, owners, contents, symlinks and file times', () => {
    const a = comparable(snapshotTree(ours), { directoryMtimes: false });
    const b = comparable(snapshotTree(gnu), { directoryMtimes: false });
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const path of Object.keys(b)) expect(a[path], path).toEqual(b[path]);
  });

  it('produces the same hardlink groups', () => {
    const groups = hardlinkGroups(snapshotTree(ours));
    expect(groups).toEqual(hardlinkGroups(snapshotTree(gnu)));
    // bin/tool was replaced by a new file in layer 2: bin/tool-link keeps the old inode.
    expect(groups).toEqual([['bin/suid', 'bin/suid-link']]);
  });

  it('produces the same xattrs', () => {
    expect(xattrDump(ours)).toEqual(xattrDump(gnu));
    expect(xattrDump(ours)).toContain('user.comment');
  });

  it('applied every deletion (sanity check of the scenario itself)', () => {
    const tree = snapshotTree(ours);
    expect(tree.has('var/cache')).toBe(false);
    expect(tree.has('etc/old.conf')).toBe(false);
    expect(tree.has('home/user/hard')).toBe(false);
    expect(tree.has('opt/app/a')).toBe(false);
    expect(tree.has('opt/app/sub')).toBe(false);
    expect([...tree.keys()].filter((path) => path.startsWith('srv/'))).toEqual(['srv/fresh']);
    expect(tree.get('bin/tool')).toMatchObject({ mode: 0o700, mtime: 1_600_000_003 });
    expect(tree.get('opt/app/new')).toMatchObject({ uid: 1234, gid: 5678, mode: 0o640 });
    expect(tree.get('run/fifo')).toMatchObject({ type: 'symlink', target: '/dev/null' });
    expect(tree.get('dev/loop9')).toMatchObject({ type: 'block' });
    expect([...tree.keys()].some((path) => path.includes('.wh.'))).toBe(false);
  });
});
