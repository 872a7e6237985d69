import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInvalidArgument, isNotFound } from '@berth/errdefs';
import { makeTempDir } from '@berth/testkit';
import { applyLayer } from '@berth/image';
import { encodeHeader } from '../../src/layer/internal/tar-writer.js';
import { buildTar, gzip, isRoot, snapshotTree, streamOf, zstd } from './fixtures.js';

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('applyLayer', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let target: string;
  beforeEach(async () => {
    dir = await makeTempDir('berth-apply');
    target = `${dir.path}/target`;
    mkdirSync(target);
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('writes files, directories, symlinks, hardlinks with modes and times, and reports the DiffID', async () => {
    const tar = await buildTar([
      { name: 'etc/', mode: 0o755, mtime: 1_400_000_000 },
      { name: 'etc/hosts', content: '127.0.0.1 localhost\n', mode: 0o644, mtime: 1_500_000_000 },
      { name: 'usr/bin/tool', content: 'binary', mode: 0o4755, mtime: 1_500_000_001 },
      { name: 'usr/bin/sgid', content: 'x', mode: 0o2711 },
      { name: 'tmp/', mode: 0o1777, mtime: 1_400_000_001 },
      { name: 'usr/bin/tool2', type: 'link', linkname: 'usr/bin/tool' },
      { name: 'bin', type: 'symlink', linkname: 'usr/bin', mtime: 1_300_000_000 },
      { name: 'readonly/', mode: 0o555, mtime: 1_400_000_002 },
      { name: 'readonly/inside', content: 'still written' },
      { name: 'empty', content: '', mode: 0o600 },
    ]);
    const applied = await applyLayer(streamOf(tar, 1000), target);
    expect(applied).toEqual({ diffId: sha256(tar), size: tar.length });

    const tree = snapshotTree(target);
    expect(readFileSync(`${target}/etc/hosts`, 'utf8')).toBe('127.0.0.1 localhost\n');
    expect(tree.get('etc/hosts')).toMatchObject({ type: 'file', mode: 0o644, mtime: 1_500_000_000 });
    expect(tree.get('usr/bin/tool')).toMatchObject({ mode: 0o4755, mtime: 1_500_000_001 });
    expect(tree.get('usr/bin/sgid')!.mode).toBe(0o2711);
    expect(tree.get('tmp')).toMatchObject({ type: 'directory', mode: 0o1777, mtime: 1_400_000_001 });
    expect(tree.get('usr/bin/tool2')!.ino).toBe(tree.get('usr/bin/tool')!.ino);
    expect(tree.get('bin')).toMatchObject({ type: 'symlink', target: 'usr/bin', mtime: 1_300_000_000 });
    // Directory times and modes are set after their children were written.
    expect(tree.get('etc')!.mtime).toBe(1_400_000_000);
    expect(tree.get('readonly')).toMatchObject({ mode: 0o555, mtime: 1_400_000_002 });
    expect(readFileSync(`${target}/readonly/inside`, 'utf8')).toBe('still written');
    chmodSync(`${target}/readonly`, 0o755); // so that cleanup works without root
    expect(tree.get('empty')).toMatchObject({ size: 0, mode: 0o600 });
    // Parents missing from the tar are created 0755.
    expect(tree.get('usr')).toMatchObject({ type: 'directory', mode: 0o755 });
  });

  it('streams large files intact across chunk borders', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 77);
    const tar = await buildTar([{ name: 'big.bin', content: big }]);
    const applied = await applyLayer(streamOf(tar, 65_531), target);
    expect(readFileSync(`${target}/big.bin`).equals(big)).toBe(true);
    expect(applied.diffId).toBe(sha256(tar));
  });

  it('decompresses gzip and zstd, explicitly or sniffed, with the DiffID of the uncompressed tar', async () => {
    const tar = await buildTar([{ name: 'a/b', content: 'compressed content' }]);
    const cases: [Buffer, 'gzip' | 'zstd' | 'none' | 'auto'][] = [
      [gzip(tar), 'gzip'],
      [gzip(tar), 'auto'],
      [zstd(tar), 'zstd'],
      [zstd(tar), 'auto'],
      [tar, 'none'],
      [tar, 'auto'],
    ];
    for (const [index, [bytes, compression]] of cases.entries()) {
      const into = `${dir.path}/c${index}`;
      mkdirSync(into);
      const applied = await applyLayer(streamOf(bytes, 999), into, { compression });
      expect(applied, compression).toEqual({ diffId: sha256(tar), size: tar.length });
      expect(readFileSync(`${into}/a/b`, 'utf8')).toBe('compressed content');
    }
  });

  it('sets xattrs from PAX records, binary values intact', async () => {
    const value = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
    const tar = Buffer.concat([
      encodeHeader({ name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 1, size: 0, xattrs: new Map([['user.bin', value]]) }),
      encodeHeader({
        name: 'd',
        type: 'directory',
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: 1,
        size: 0,
        xattrs: new Map([['user.text', Buffer.from('hello')]]),
      }),
      Buffer.alloc(1024),
    ]);
    await applyLayer(streamOf(tar), target, { compression: 'none' });
    const dump = execFileSync('getfattr', ['-d', '-e', 'hex', '-m', '-', `${target}/f`, `${target}/d`], { encoding: 'utf8' });
    expect(dump).toContain('user.bin=0x00ff10807f');
    expect(dump).toContain(`user.text=0x${Buffer.from('hello').toString('hex')}`);
  });

  it('replaces files with directories and back, replaces symlinks without following them, and merges directories', async () => {
    mkdirSync(`${target}/was-dir/sub`, { recursive: true });
    writeFileSync(`${target}/was-dir/sub/file`, 'old');
    writeFileSync(`${target}/was-file`, 'old');
    mkdirSync(`${target}/merged`);
    writeFileSync(`${target}/merged/kept`, 'lower');
    writeFileSync(`${target}/merged/overwritten`, 'lower');
    writeFileSync(`${dir.path}/outside`, 'outside');
    symlinkSync(`${dir.path}/outside`, `${target}/was-link`);
    const tar = await buildTar([
      { name: 'was-dir', content: 'now a file' },
      { name: 'was-file/', mode: 0o700 },
      { name: 'was-file/child', content: 'child' },
      { name: 'was-link', content: 'replaced the link' },
      { name: 'merged/', mode: 0o711 },
      { name: 'merged/overwritten', content: 'upper' },
      { name: 'merged/new', content: 'new' },
    ]);
    await applyLayer(streamOf(tar), target);
    expect(readFileSync(`${target}/was-dir`, 'utf8')).toBe('now a file');
    expect(lstatSync(`${target}/was-file`).isDirectory()).toBe(true);
    expect(readFileSync(`${target}/was-file/child`, 'utf8')).toBe('child');
    expect(lstatSync(`${target}/was-link`).isFile()).toBe(true);
    expect(readFileSync(`${dir.path}/outside`, 'utf8')).toBe('outside');
    expect(readdirSync(`${target}/merged`).sort()).toEqual(['kept', 'new', 'overwritten']);
    expect(readFileSync(`${target}/merged/kept`, 'utf8')).toBe('lower');
    expect(readFileSync(`${target}/merged/overwritten`, 'utf8')).toBe('upper');
    expect(lstatSync(`${target}/merged`).mode & 0o777).toBe(0o711);
    // Applying the same layer again converges to the same tree.
    const before = snapshotTree(target);
    await applyLayer(streamOf(tar), target);
    const after = snapshotTree(target);
    expect([...after.keys()]).toEqual([...before.keys()]);
  });

  it('applies OCI whiteouts and opaque directories to the lower tree only', async () => {
    mkdirSync(`${target}/gone-dir/deep`, { recursive: true });
    writeFileSync(`${target}/gone-dir/deep/f`, 'x');
    writeFileSync(`${target}/gone-file`, 'x');
    mkdirSync(`${target}/opaque/lower-dir`, { recursive: true });
    writeFileSync(`${target}/opaque/lower-file`, 'x');
    writeFileSync(`${target}/opaque/lower-dir/f`, 'x');
    writeFileSync(`${target}/opaque/!early`, 'lower version');
    const tar = await buildTar([
      { name: '.wh.gone-dir', content: '' },
      { name: '.wh.gone-file', content: '' },
      { name: '.wh.never-existed', content: '' },
      { name: 'same-layer', content: 'kept' },
      { name: '.wh.same-layer', content: '' }, // whiteouts never hide their own layer
      { name: 'opaque/' },
      { name: 'opaque/!early', content: 'written before the marker' },
      { name: 'opaque/.wh..wh..opq', content: '' },
      { name: 'opaque/late', content: 'written after the marker' },
      { name: '.wh..wh.plnk/', type: 'directory' }, // aufs bookkeeping: ignored
      { name: 'missing-parent/.wh.x', content: '' },
      { name: '.wh.with-a-body', content: 'whiteouts carry no data, but this one has some' },
    ]);
    await applyLayer(streamOf(tar), target, { whiteouts: 'oci' });
    expect(readdirSync(target).sort()).toEqual(['opaque', 'same-layer']);
    expect(readdirSync(`${target}/opaque`).sort()).toEqual(['!early', 'late']);
    expect(readFileSync(`${target}/opaque/!early`, 'utf8')).toBe('written before the marker');
  });

  it.runIf(isRoot)('chowns entries and keeps setuid bits after the chown (root)', async () => {
    const tar = await buildTar([
      { name: 'd/', uid: 1000, gid: 1001, mode: 0o2775 },
      { name: 'd/suid', content: 'x', uid: 1234, gid: 5678, mode: 0o6755 },
      { name: 'd/link', type: 'symlink', linkname: 'suid', uid: 42, gid: 43 },
      { name: 'd/fifo', type: 'fifo', uid: 7, gid: 8, mode: 0o640, mtime: 1_234_567_890 },
      { name: 'd/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
    ]);
    await applyLayer(streamOf(tar), target);
    const tree = snapshotTree(target);
    expect(tree.get('d')).toMatchObject({ uid: 1000, gid: 1001, mode: 0o2775 });
    expect(tree.get('d/suid')).toMatchObject({ uid: 1234, gid: 5678, mode: 0o6755 });
    expect(tree.get('d/link')).toMatchObject({ uid: 42, gid: 43 });
    expect(tree.get('d/fifo')).toMatchObject({ type: 'fifo', uid: 7, gid: 8, mode: 0o640, mtime: 1_234_567_890 });
    expect(tree.get('d/null')).toMatchObject({ type: 'char', rdev: lstatSync('/dev/null').rdev, mode: 0o666 });
  });

  it('leaves ownership alone with ownership: ignore', async () => {
    const tar = await buildTar([{ name: 'f', content: 'x', uid: 1234, gid: 5678 }]);
    await applyLayer(streamOf(tar), target, { ownership: 'ignore' });
    expect(lstatSync(`${target}/f`).uid).toBe(process.getuid!());
  });

  it('applies an empty stream as an empty layer', async () => {
    const applied = await applyLayer(Readable.from([], { objectMode: false }), target);
    expect(applied).toEqual({ diffId: sha256(Buffer.alloc(0)), size: 0 });
  });

  it('refuses truncated and corrupt gzip, garbage and truncated tars with InvalidArgument', async () => {
    const tar = await buildTar([{ name: 'f', content: randomBytes(100_000) }]);
    const compressed = gzip(tar);
    const corrupt = Buffer.from(compressed);
    for (let i = 200; i < 260; i += 1) corrupt[i] = corrupt[i]! ^ 0x5a;
    const inputs: [string, Buffer, 'gzip' | 'zstd' | 'auto' | 'none'][] = [
      ['truncated gzip', compressed.subarray(0, compressed.length / 2), 'gzip'],
      ['truncated gzip, sniffed', compressed.subarray(0, compressed.length - 10), 'auto'],
      ['corrupt gzip', corrupt, 'auto'],
      ['not gzip at all', randomBytes(5000), 'gzip'],
      ['garbage', randomBytes(5000), 'auto'],
      ['text', Buffer.from('this is not a tar archive\n'.repeat(40)), 'none'],
      ['truncated tar', tar.subarray(0, 50_000), 'none'],
      ['truncated zstd', zstd(tar).subarray(0, 30_000), 'zstd'],
      ['truncated zstd, sniffed', zstd(tar).subarray(0, 30_000), 'auto'],
    ];
    for (const [what, bytes, compression] of inputs) {
      const into = `${dir.path}/${what.replaceAll(' ', '-').replaceAll(',', '')}`;
      mkdirSync(into);
      const error = await applyLayer(streamOf(bytes), into, { compression }).catch((err: unknown) => err);
      expect(isInvalidArgument(error), `${what}: ${String(error)}`).toBe(true);
    }
  });

  it('reports a missing target as NotFound and honours an aborted signal', async () => {
    const tar = await buildTar([{ name: 'f', content: 'x' }]);
    await expect(applyLayer(streamOf(tar), `${dir.path}/missing`)).rejects.toSatisfy(isNotFound);
    const controller = new AbortController();
    controller.abort();
    await expect(applyLayer(streamOf(tar), target, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(existsSync(`${target}/f`)).toBe(false);
  });

  it('stops when aborted midway', async () => {
    const tar = await buildTar(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, content: randomBytes(10_000) })));
    const controller = new AbortController();
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent === 100_000) {
          controller.abort();
          return;
        }
        this.push(tar.subarray(sent, sent + 10_000));
        sent += 10_000;
      },
    });
    await expect(applyLayer(source, target, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(readdirSync(target).length).toBeLessThan(50);
  });

  it('keeps symlink targets as written, never resolving them', async () => {
    const tar = await buildTar([
      { name: 'abs', type: 'symlink', linkname: '/etc/shadow' },
      { name: 'rel', type: 'symlink', linkname: '../../../../etc' },
      { name: 'dangling', type: 'symlink', linkname: 'nowhere/at/all' },
    ]);
    await applyLayer(streamOf(tar), target);
    expect(readlinkSync(`${target}/abs`)).toBe('/etc/shadow');
    expect(readlinkSync(`${target}/rel`)).toBe('../../../../etc');
    expect(readlinkSync(`${target}/dangling`)).toBe('nowhere/at/all');
  });
});
