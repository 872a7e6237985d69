import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isNotImplemented } from '@berth/errdefs';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { applyLayer, diffOverlayUpper } from '@berth/image';
import { type FixtureEntry, buildTar, comparable, listTar, readAll, snapshotTree, streamOf } from './fixtures.js';

const base: FixtureEntry[] = [
  { name: 'etc/gone.conf', content: 'gone' },
  { name: 'etc/kept.conf', content: 'kept' },
  { name: 'opt/app/old', content: 'old' },
  { name: 'opt/app/sub/deep', content: 'deep' },
  { name: 'var/cache/apt/pkgcache.bin', content: 'cache' },
  { name: 'big/data', content: Buffer.alloc(100_000, 9) },
];

const change: FixtureEntry[] = [
  { name: 'etc/', mode: 0o755 },
  { name: 'etc/.wh.gone.conf', content: '' },
  { name: 'var/.wh.cache', content: '' },
  { name: 'opt/app/', mode: 0o700, uid: 7, gid: 7 },
  { name: 'opt/app/.wh..wh..opq', content: '' },
  { name: 'opt/app/new', content: 'new', pax: { 'SCHILY.xattr.user.note': 'hello' } },
  { name: 'opt/app/new-link', type: 'link', linkname: 'opt/app/new' },
];

function setXattr(path: string, name: string, value: string): void {
  execFileSync('setfattr', ['-h', '-n', name, '-v', value, path]);
}

describeIntegration('diffOverlayUpper', { root: true, commands: ['mknod', 'setfattr', 'getfattr'] }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await makeTempDir('berth-overlay-diff');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('converts a hand-made upper dir: whiteout devices, opaque dirs, overlay xattrs, hardlinks', async () => {
    const upper = `${dir.path}/upper`;
    mkdirSync(`${upper}/etc`, { recursive: true });
    mkdirSync(`${upper}/opt/app`, { recursive: true });
    execFileSync('mknod', [`${upper}/etc/gone.conf`, 'c', '0', '0']);
    linkSync(`${upper}/etc/gone.conf`, `${upper}/etc/also-gone`); // shared whiteout inode
    execFileSync('mknod', [`${upper}/var-gone`, 'c', '0', '0']);
    execFileSync('mknod', [`${upper}/etc/tty`, 'c', '5', '0']); // a real device stays one
    setXattr(`${upper}/opt/app`, 'trusted.overlay.opaque', 'y');
    setXattr(`${upper}/etc`, 'trusted.overlay.origin', '0x00fb');
    writeFileSync(`${upper}/opt/app/new`, 'new');
    linkSync(`${upper}/opt/app/new`, `${upper}/opt/app/new-link`);
    setXattr(`${upper}/opt/app/new`, 'user.note', 'hello');
    utimesSync(`${upper}/opt/app/new`, 1_600_000_000, 1_600_000_000);

    const entries = await listTar(await readAll(diffOverlayUpper(upper, [])));
    expect(entries.map((entry) => [entry.name, entry.type])).toEqual([
      ['etc/', 'directory'],
      ['etc/.wh.also-gone', 'file'],
      ['etc/.wh.gone.conf', 'file'],
      ['etc/tty', 'character-device'],
      ['opt/', 'directory'],
      ['opt/app/', 'directory'],
      ['opt/app/.wh..wh..opq', 'file'],
      ['opt/app/new', 'file'],
      ['opt/app/new-link', 'link'],
      ['.wh.var-gone', 'file'], // walk order: the whiteout stands where var-gone sorts
    ]);
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    expect(byName.get('opt/app/new')).toMatchObject({ size: 3, mtime: 1_600_000_000 });
    expect(byName.get('opt/app/new')!.pax).toMatchObject({ 'SCHILY.xattr.user.note': 'hello' });
    expect(byName.get('opt/app/new-link')!.linkname).toBe('opt/app/new');
    // overlayfs bookkeeping never leaks into the layer.
    for (const entry of entries) expect(JSON.stringify(entry.pax ?? {})).not.toContain('trusted.overlay');
  });

  it('round-trips: upper written in overlay mode, diffed, and applied in oci mode equals the oci apply', async () => {
    const lower = `${dir.path}/lower`;
    const upper = `${dir.path}/upper`;
    const expected = `${dir.path}/expected`;
    for (const path of [lower, upper, expected]) mkdirSync(path);
    const baseTar = await buildTar(base);
    const changeTar = await buildTar(change);
    await applyLayer(streamOf(baseTar), lower);
    await applyLayer(streamOf(baseTar), expected);
    await applyLayer(streamOf(changeTar), expected, { whiteouts: 'oci' });
    await applyLayer(streamOf(changeTar), upper, { whiteouts: 'overlay', lowerDirs: [lower] });

    const result = `${dir.path}/result`;
    execFileSync('cp', ['-a', lower, result]);
    await applyLayer(diffOverlayUpper(upper, [lower]), result, { whiteouts: 'oci' });
    const want = comparable(snapshotTree(expected), { directoryMtimes: false });
    const got = comparable(snapshotTree(result), { directoryMtimes: false });
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const path of Object.keys(want)) expect(got[path], path).toEqual(want[path]);
  });

  it('reads the data of metacopy files from the lower dirs', async () => {
    const lower = `${dir.path}/lower`;
    const upper = `${dir.path}/upper`;
    mkdirSync(lower);
    mkdirSync(`${upper}/big`, { recursive: true });
    await applyLayer(streamOf(await buildTar(base)), lower);
    // What overlayfs leaves after a chmod with metacopy=on: a sparse upper file, data below.
    writeFileSync(`${upper}/big/data`, '');
    truncateSync(`${upper}/big/data`, 100_000);
    setXattr(`${upper}/big/data`, 'trusted.overlay.metacopy', '0x');
    const result = `${dir.path}/result`;
    const emptyLower = `${dir.path}/empty-lower`;
    mkdirSync(result);
    mkdirSync(emptyLower);
    await applyLayer(diffOverlayUpper(upper, [emptyLower, lower]), result);
    expect(snapshotTree(result).get('big/data')!.sha256).toBe(snapshotTree(lower).get('big/data')!.sha256);
  });

  it('refuses redirect directories with NotImplemented', async () => {
    const upper = `${dir.path}/upper`;
    mkdirSync(`${upper}/moved`, { recursive: true });
    setXattr(`${upper}/moved`, 'trusted.overlay.redirect', '/original');
    await expect(readAll(diffOverlayUpper(upper, []))).rejects.toSatisfy(isNotImplemented);
  });
});
