import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { applyLayer } from '@berth/image';
import { type FixtureEntry, buildTar, comparable, snapshotTree, streamOf } from './fixtures.js';

const base: FixtureEntry[] = [
  { name: 'etc/', mode: 0o755 },
  { name: 'etc/gone.conf', content: 'gone' },
  { name: 'etc/kept.conf', content: 'kept' },
  { name: 'var/cache/apt/pkgcache.bin', content: 'cache' },
  { name: 'opt/app/', mode: 0o755 },
  { name: 'opt/app/old', content: 'old' },
  { name: 'opt/app/sub/deep', content: 'deep' },
  { name: 'home/user/', mode: 0o750, uid: 1000, gid: 1000 },
  { name: 'home/user/file', content: 'file', uid: 1000, gid: 1000 },
];

const change: FixtureEntry[] = [
  { name: 'etc/', mode: 0o755 },
  { name: 'etc/.wh.gone.conf', content: '' },
  { name: 'var/.wh.cache', content: '' },
  { name: 'opt/app/', mode: 0o700, uid: 7, gid: 7 },
  { name: 'opt/app/.wh..wh..opq', content: '' },
  { name: 'opt/app/new', content: 'new' },
  { name: 'home/user/added', content: 'added', uid: 1000, gid: 1000 },
];

function xattr(path: string, name: string): string | undefined {
  try {
    return execFileSync('getfattr', ['-h', '--only-values', '-n', name, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

describeIntegration('applyLayer in overlay whiteout mode', { root: true, commands: ['mount', 'umount', 'getfattr'] }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  const mounted: string[] = [];

  beforeEach(async () => {
    dir = await makeTempDir('berth-overlay-apply');
  });
  afterEach(async () => {
    while (mounted.length > 0) execFileSync('umount', [mounted.pop()!]);
    await dir.remove();
  });

  it('writes char 0:0 whiteouts and opaque xattrs, and no .wh. files', async () => {
    const upper = `${dir.path}/upper`;
    mkdirSync(upper);
    const markerFirst: FixtureEntry[] = [
      { name: 'marker-first/.wh..wh..opq', content: '' },
      { name: 'marker-first/', mode: 0o750 },
    ];
    await applyLayer(streamOf(await buildTar([...change, ...markerFirst])), upper, { whiteouts: 'overlay' });
    expect(xattr(`${upper}/marker-first`, 'trusted.overlay.opaque')).toBe('y');
    for (const path of ['etc/gone.conf', 'var/cache']) {
      const stat = lstatSync(`${upper}/${path}`);
      expect(stat.isCharacterDevice(), path).toBe(true);
      expect(stat.rdev, path).toBe(0);
    }
    expect(xattr(`${upper}/opt/app`, 'trusted.overlay.opaque')).toBe('y');
    expect(xattr(`${upper}/etc`, 'trusted.overlay.opaque')).toBeUndefined();
    expect(lstatSync(`${upper}/opt/app`).mode & 0o7777).toBe(0o700);
    const names = [...snapshotTree(upper).keys()];
    expect(names.filter((name) => name.includes('.wh.') || name.includes('berth-whiteout'))).toEqual([]);
  });

  it('gives, mounted over the lower layer, the tree an oci-mode apply gives', async () => {
    const lower = `${dir.path}/lower`;
    const upper = `${dir.path}/upper`;
    const work = `${dir.path}/work`;
    const merged = `${dir.path}/merged`;
    const copy = `${dir.path}/copy`;
    for (const path of [lower, upper, work, merged, copy]) mkdirSync(path);
    await applyLayer(streamOf(await buildTar(base)), lower);
    await applyLayer(streamOf(await buildTar(base)), copy);
    await applyLayer(streamOf(await buildTar(change)), copy, { whiteouts: 'oci' });
    await applyLayer(streamOf(await buildTar(change)), upper, { whiteouts: 'overlay', lowerDirs: [lower] });
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged]);
    mounted.push(merged);
    const expected = comparable(snapshotTree(copy), { directoryMtimes: false });
    const actual = comparable(snapshotTree(merged), { directoryMtimes: false });
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const path of Object.keys(expected)) expect(actual[path], path).toEqual(expected[path]);
    expect(readdirSync(`${merged}/opt/app`)).toEqual(['new']);
  });

  it('creates parents missing from the layer with the metadata of the lower directory they shadow', async () => {
    const lower = `${dir.path}/lower`;
    const upper = `${dir.path}/upper`;
    mkdirSync(lower);
    mkdirSync(upper);
    await applyLayer(streamOf(await buildTar(base)), lower);
    await applyLayer(streamOf(await buildTar([{ name: 'home/user/new', content: 'x' }])), upper, {
      whiteouts: 'overlay',
      lowerDirs: [`${dir.path}/missing-lower`, lower],
    });
    const lowerUser = lstatSync(`${lower}/home/user`);
    const upperUser = lstatSync(`${upper}/home/user`);
    expect([upperUser.mode, upperUser.uid, upperUser.gid, upperUser.mtimeMs]).toEqual([
      lowerUser.mode,
      1000,
      1000,
      lowerUser.mtimeMs,
    ]);
  });

  it('writes thousands of whiteouts as links to one device node', async () => {
    const upper = `${dir.path}/upper`;
    mkdirSync(upper);
    const entries: FixtureEntry[] = Array.from({ length: 3000 }, (_, i) => ({ name: `many/.wh.file${i}`, content: '' }));
    await applyLayer(streamOf(await buildTar(entries)), upper, { whiteouts: 'overlay' });
    const names = readdirSync(`${upper}/many`);
    expect(names).toHaveLength(3000);
    const inodes = new Set(names.map((name) => lstatSync(`${upper}/many/${name}`).ino));
    expect(inodes.size).toBe(1);
    const stat = lstatSync(`${upper}/many/file0`);
    expect(stat.isCharacterDevice() && stat.rdev === 0).toBe(true);
    expect(readdirSync(upper)).toEqual(['many']);
  });
});
