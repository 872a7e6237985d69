import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFailedPrecondition, isNotFound } from '@berth/errdefs';
import { makeTempDir } from '@berth/testkit';
import { applyLayer, changes, diffDirectories, tarDirectory } from '@berth/image';
import { type FixtureEntry, buildTar, comparable, hardlinkGroups, isRoot, listTar, readAll, snapshotTree, streamOf } from './fixtures.js';

const lowerLayer: FixtureEntry[] = [
  { name: 'bin/', mtime: 1_500_000_000 },
  { name: 'bin/tool', content: 'tool', mode: 0o755, mtime: 1_500_000_001 },
  { name: 'bin/suid', content: 'suid', mode: 0o4755 },
  { name: 'bin/sh', type: 'symlink', linkname: 'tool' },
  { name: 'etc/', mtime: 1_500_000_002 },
  { name: 'etc/passwd', content: 'root:x:0:0\n', mtime: 1_500_000_003 },
  { name: 'etc/old.conf', content: 'old' },
  { name: 'etc/hosts', content: 'hosts' },
  { name: 'etc/kept.conf', content: 'kept', pax: { 'SCHILY.xattr.user.origin': 'lower' } },
  { name: 'home/user/', mode: 0o750, uid: 1000, gid: 1000 },
  { name: 'home/user/notes', content: 'notes', mode: 0o600, uid: 1000, gid: 1000 },
  { name: 'home/user/hard', type: 'link', linkname: 'home/user/notes' },
  { name: 'opt/app/', mtime: 1_500_000_004 },
  { name: 'opt/app/old', content: 'old' },
  { name: 'opt/app/sub/deep', content: 'deep' },
  { name: 'var/cache/apt/pkgcache.bin', content: 'cache' },
  { name: 'var/lib/data/', mode: 0o700 },
  { name: 'var/lib/data/db', content: 'db' },
  { name: 'run/fifo', type: 'fifo' },
  { name: 'untouched/', mtime: 1_500_000_005 },
  { name: 'untouched/file', content: 'same' },
];

function xattrDump(root: string): string {
  return execFileSync('getfattr', ['-R', '-h', '-d', '-m', '^user\\.', '-e', 'hex', '.'], { cwd: root, encoding: 'utf8' });
}

/** Applies the lower layer into a fresh directory. */
async function lowerTree(path: string): Promise<void> {
  mkdirSync(path);
  await applyLayer(streamOf(await buildTar(lowerLayer)), path);
}

/** Every kind of change a container makes, applied to a copy of the lower tree. */
function changeUpper(upper: string): void {
  mkdirSync(`${upper}/new/nested`, { recursive: true });
  writeFileSync(`${upper}/new/nested/file`, 'new file');
  // Same size, same (whole-second) mtime: only a content comparison can see this one.
  const passwd = lstatSync(`${upper}/etc/passwd`);
  writeFileSync(`${upper}/etc/passwd`, 'ROOT:X:0:0\n');
  utimesSync(`${upper}/etc/passwd`, passwd.atime, passwd.mtime);
  unlinkSync(`${upper}/etc/old.conf`);
  rmSync(`${upper}/var/cache`, { recursive: true });
  rmSync(`${upper}/opt/app`, { recursive: true });
  mkdirSync(`${upper}/opt/app`);
  writeFileSync(`${upper}/opt/app/fresh`, 'fresh');
  unlinkSync(`${upper}/etc/hosts`);
  mkdirSync(`${upper}/etc/hosts`);
  writeFileSync(`${upper}/etc/hosts/inner`, 'inner');
  rmSync(`${upper}/var/lib/data`, { recursive: true });
  writeFileSync(`${upper}/var/lib/data`, 'now a file');
  chmodSync(`${upper}/bin/tool`, 0o700);
  writeFileSync(`${upper}/bin/new-a`, 'linked');
  linkSync(`${upper}/bin/new-a`, `${upper}/bin/new-b`);
  unlinkSync(`${upper}/bin/sh`);
  symlinkSync('busybox', `${upper}/bin/sh`);
  execFileSync('setfattr', ['-n', 'user.added', '-v', '0x00ff01', `${upper}/etc/kept.conf`]);
  unlinkSync(`${upper}/home/user/hard`);
  execFileSync('mkfifo', [`${upper}/run/newfifo`]);
  if (isRoot) {
    chownSync(`${upper}/home/user/notes`, 2000, 2000);
    execFileSync('mknod', [`${upper}/run/zero`, 'c', '1', '5']);
  }
}

describe('diffDirectories and changes', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let lower: string;
  let upper: string;

  beforeEach(async () => {
    dir = await makeTempDir('berth-diff');
    lower = `${dir.path}/lower`;
    upper = `${dir.path}/upper`;
    await lowerTree(lower);
    execFileSync('cp', ['-a', lower, upper]);
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('round-trips: the diff applied onto a copy of lower gives upper', async () => {
    changeUpper(upper);
    const diff = await readAll(diffDirectories(lower, upper));
    const result = `${dir.path}/result`;
    execFileSync('cp', ['-a', lower, result]);
    await applyLayer(streamOf(diff), result, { whiteouts: 'oci' });

    const expected = comparable(snapshotTree(upper));
    const actual = comparable(snapshotTree(result));
    delete expected[''];
    delete actual[''];
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const path of Object.keys(expected)) expect(actual[path], path).toEqual(expected[path]);
    expect(hardlinkGroups(snapshotTree(result))).toEqual(hardlinkGroups(snapshotTree(upper)));
    expect(xattrDump(result)).toEqual(xattrDump(upper));
  });

  it('writes whiteouts, one opaque marker for a replaced directory, and hardlink members, in sorted order', async () => {
    changeUpper(upper);
    const entries = await listTar(await readAll(diffDirectories(lower, upper)));
    const names = entries.map((entry) => entry.name);
    expect(names).toEqual([
      'bin/',
      'bin/new-a',
      'bin/new-b',
      'bin/sh',
      'bin/tool',
      'etc/',
      'etc/hosts/',
      'etc/hosts/inner',
      'etc/kept.conf',
      'etc/.wh.old.conf',
      'etc/passwd',
      'home/',
      'home/user/',
      'home/user/.wh.hard',
      ...(isRoot ? ['home/user/notes'] : []),
      'new/',
      'new/nested/',
      'new/nested/file',
      'opt/',
      'opt/app/',
      'opt/app/.wh..wh..opq',
      'opt/app/fresh',
      'run/',
      'run/newfifo',
      ...(isRoot ? ['run/zero'] : []),
      'var/',
      'var/.wh.cache',
      'var/lib/',
      'var/lib/data',
    ]);
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    expect(byName.get('bin/new-b')).toMatchObject({ type: 'link', linkname: 'bin/new-a' });
    expect(byName.get('bin/sh')).toMatchObject({ type: 'symlink', linkname: 'busybox' });
    expect(byName.get('bin/tool')).toMatchObject({ mode: 0o700, size: 4 });
    expect(byName.get('run/newfifo')!.type).toBe('fifo');
    expect(byName.get('opt/app/')!.mtime).toBe(Math.floor(lstatSync(`${upper}/opt/app`).mtimeMs / 1000));
  });

  it('lists changes like docker diff', async () => {
    changeUpper(upper);
    expect(await changes(lower, upper)).toEqual(
      [
        ['/bin', 'C'],
        ['/bin/new-a', 'A'],
        ['/bin/new-b', 'A'],
        ['/bin/sh', 'C'],
        ['/bin/tool', 'C'],
        ['/etc', 'C'],
        ['/etc/hosts', 'C'],
        ['/etc/hosts/inner', 'A'],
        ['/etc/kept.conf', 'C'],
        ['/etc/old.conf', 'D'],
        ['/etc/passwd', 'C'],
        ['/home', 'C'],
        ['/home/user', 'C'],
        ['/home/user/hard', 'D'],
        ...(isRoot ? [['/home/user/notes', 'C']] : []),
        ['/new', 'A'],
        ['/new/nested', 'A'],
        ['/new/nested/file', 'A'],
        ['/opt', 'C'],
        ['/opt/app', 'C'],
        ['/opt/app/fresh', 'A'],
        ['/opt/app/old', 'D'],
        ['/opt/app/sub', 'D'],
        ['/run', 'C'],
        ['/run/newfifo', 'A'],
        ...(isRoot ? [['/run/zero', 'A']] : []),
        ['/var', 'C'],
        ['/var/cache', 'D'],
        ['/var/lib', 'C'],
        ['/var/lib/data', 'C'],
      ].map(([path, kind]) => ({ path, kind })),
    );
  });

  it('is empty for identical trees, and byte-identical across runs', async () => {
    expect(await changes(lower, upper)).toEqual([]);
    const empty = await readAll(diffDirectories(lower, upper));
    expect(empty.equals(Buffer.alloc(1024))).toBe(true);
    changeUpper(upper);
    const first = await readAll(diffDirectories(lower, upper));
    const second = await readAll(diffDirectories(lower, upper));
    expect(first.equals(second)).toBe(true);
  });

  it('tarDirectory archives a whole tree that applies back identically, directory times included', async () => {
    const tar = await readAll(tarDirectory(lower));
    const copy = `${dir.path}/copy`;
    mkdirSync(copy);
    await applyLayer(streamOf(tar), copy);
    const expected = comparable(snapshotTree(lower));
    const actual = comparable(snapshotTree(copy));
    delete expected[''];
    delete actual[''];
    expect(actual).toEqual(expected);
    expect(hardlinkGroups(snapshotTree(copy))).toEqual([['home/user/hard', 'home/user/notes']]);
    expect(xattrDump(copy)).toEqual(xattrDump(lower));
  });

  it('keeps long names, long link targets, large files and binary xattrs through a round trip', async () => {
    const longDir = `${'a'.repeat(120)}/${'b'.repeat(120)}`;
    mkdirSync(`${upper}/${longDir}`, { recursive: true });
    writeFileSync(`${upper}/${longDir}/${'c'.repeat(150)}`, Buffer.alloc(3 << 20, 7));
    symlinkSync(`/${'t'.repeat(200)}`, `${upper}/long-link`);
    writeFileSync(`${upper}/ünïcödé`, 'utf8 name');
    execFileSync('setfattr', ['-n', 'user.binary', '-v', '0x00fffe0080', `${upper}/ünïcödé`]);
    const result = `${dir.path}/result`;
    execFileSync('cp', ['-a', lower, result]);
    await applyLayer(diffDirectories(lower, upper), result);
    const expected = comparable(snapshotTree(upper));
    const actual = comparable(snapshotTree(result));
    delete expected[''];
    delete actual[''];
    expect(actual).toEqual(expected);
    expect(xattrDump(result)).toEqual(xattrDump(upper));
  });

  it('fails the stream when a file is swapped for a symlink or another file while being archived', async () => {
    for (const swap of ['symlink', 'file'] as const) {
      const tree = `${dir.path}/swap-${swap}`;
      mkdirSync(tree);
      writeFileSync(`${tree}/a-big`, Buffer.alloc(3 << 20, 1));
      writeFileSync(`${tree}/z-small`, 'small');
      writeFileSync(`${dir.path}/host-secret`, 'host');
      const stream = tarDirectory(tree);
      const chunks = stream[Symbol.asyncIterator]();
      await chunks.next(); // the tree was walked; a-big is being streamed, z-small not yet
      // Renamed over it, so the replacement cannot reuse the inode number.
      const replacement = `${dir.path}/replacement-${swap}`;
      if (swap === 'symlink') symlinkSync(`${dir.path}/host-secret`, replacement);
      else writeFileSync(replacement, 'other');
      renameSync(replacement, `${tree}/z-small`);
      const rest = (async () => {
        for (let next = await chunks.next(); !next.done; next = await chunks.next());
      })();
      await expect(rest, swap).rejects.toSatisfy(isFailedPrecondition);
    }
  });

  it('fails the stream with NotFound for a missing directory', async () => {
    await expect(readAll(diffDirectories(lower, `${dir.path}/missing`))).rejects.toSatisfy(isNotFound);
    await expect(changes(`${dir.path}/missing`, upper)).rejects.toSatisfy(isNotFound);
  });
});
