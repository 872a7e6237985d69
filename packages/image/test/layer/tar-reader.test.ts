import { describe, expect, it } from 'vitest';
import { isInvalidArgument, isNotImplemented } from '@berth/errdefs';
import { encodePax } from '../../src/layer/internal/pax.js';
import type { TarEntry } from '../../src/layer/internal/tar-header.js';
import { TarReader } from '../../src/layer/internal/tar-reader.js';
import { encodeHeader } from '../../src/layer/internal/tar-writer.js';
import { buildTar } from './fixtures.js';

interface Seen {
  entry: TarEntry;
  data: Buffer;
}

/** Parses `bytes` fed in chunks of `chunkSize`, recording every entry with its data. */
async function parse(bytes: Buffer, chunkSize = 7): Promise<Seen[]> {
  const seen: Seen[] = [];
  let parts: Buffer[] = [];
  const reader = new TarReader({
    entry: (entry) => {
      parts = [];
      seen.push({ entry, data: Buffer.alloc(0) });
    },
    data: (chunk) => parts.push(Buffer.from(chunk)),
    entryEnd: () => {
      seen[seen.length - 1]!.data = Buffer.concat(parts);
    },
  });
  for (let i = 0; i < bytes.length; i += chunkSize) await reader.write(bytes.subarray(i, i + chunkSize));
  reader.finish();
  return seen;
}

/** A raw header block with any type flag (for GNU and PAX global headers tar-stream cannot write). */
function rawHeader(name: string, flag: string, size: number, options: { uidBase256?: number } = {}): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100);
  block.write('0000644\0', 100);
  if (options.uidBase256 !== undefined) {
    block[108] = 0x80;
    block.writeUInt32BE(options.uidBase256, 112);
  } else {
    block.write('0000000\0', 108);
  }
  block.write('0000000\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('13000000000\0', 136);
  block.write(flag, 156);
  block.write('ustar  \0', 257, 'latin1'); // GNU magic
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

function padded(body: Buffer): Buffer {
  return Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

describe('TarReader', () => {
  it('reads ustar members of every type with their data, across tiny chunks', async () => {
    const tar = await buildTar([
      { name: 'dir/', mode: 0o750, uid: 12, gid: 34, mtime: 1_500_000_000 },
      { name: 'dir/file', content: 'hello', mode: 0o4755 },
      { name: 'dir/link', type: 'symlink', linkname: '../target' },
      { name: 'dir/hard', type: 'link', linkname: 'dir/file' },
      { name: 'dev/tty', type: 'character-device', devmajor: 5, devminor: 0 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 1 },
      { name: 'fifo', type: 'fifo' },
    ]);
    const seen = await parse(tar);
    expect(seen.map((s) => [s.entry.name.replace(/\/$/, ''), s.entry.type])).toEqual([
      ['dir', 'directory'],
      ['dir/file', 'file'],
      ['dir/link', 'symlink'],
      ['dir/hard', 'hardlink'],
      ['dev/tty', 'char'],
      ['dev/sda', 'block'],
      ['fifo', 'fifo'],
    ]);
    expect(seen[0]!.entry).toMatchObject({ mode: 0o750, uid: 12, gid: 34, mtime: 1_500_000_000 });
    expect(seen[1]!.entry.mode).toBe(0o4755);
    expect(seen[1]!.data.toString()).toBe('hello');
    expect(seen[2]!.entry.linkname).toBe('../target');
    expect(seen[3]!.entry.linkname).toBe('dir/file');
    expect(seen[5]!.entry).toMatchObject({ devmajor: 8, devminor: 1 });
  });

  it('applies PAX path, linkpath, sizes, ids, times and binary xattrs', async () => {
    const longName = `${'deep/'.repeat(60)}file`;
    const longTarget = `/${'x'.repeat(300)}`;
    const value = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x80]);
    const tar = Buffer.concat([
      encodeHeader({
        name: longName,
        type: 'file',
        mode: 0o600,
        uid: 3_000_000,
        gid: 4_000_000,
        mtime: 1_700_000_000,
        size: 3,
        xattrs: new Map([['security.capability', value]]),
      }),
      padded(Buffer.from('abc')),
      encodeHeader({ name: 'l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 0, size: 0, linkname: longTarget }),
      Buffer.alloc(1024),
    ]);
    const seen = await parse(tar, 100);
    expect(seen[0]!.entry).toMatchObject({ name: longName, uid: 3_000_000, gid: 4_000_000, size: 3 });
    expect(seen[0]!.entry.xattrs!.get('security.capability')).toEqual(value);
    expect(seen[0]!.data.toString()).toBe('abc');
    expect(seen[1]!.entry.linkname).toBe(longTarget);
  });

  it('reads GNU long names and links, base-256 numbers and PAX global headers', async () => {
    const longName = `${'n'.repeat(150)}/file`;
    const longLink = `${'l'.repeat(150)}/target`;
    const global = encodePax([['mtime', '1234567890.5']]);
    const tar = Buffer.concat([
      rawHeader('pax_global_header', 'g', global.length),
      padded(global),
      rawHeader('././@LongLink', 'L', longName.length + 1),
      padded(Buffer.from(`${longName}\0`)),
      rawHeader('././@LongLink', 'K', longLink.length + 1),
      padded(Buffer.from(`${longLink}\0`)),
      rawHeader('truncated-name', '2', 0, { uidBase256: 70_000_000 }),
      Buffer.alloc(1024),
    ]);
    const [seen] = await parse(tar, 33);
    expect(seen!.entry).toMatchObject({ name: longName, linkname: longLink, type: 'symlink', uid: 70_000_000, mtime: 1234567890.5 });
  });

  it('refuses a bad checksum, a truncated archive and sparse members', async () => {
    const tar = await buildTar([{ name: 'f', content: 'x'.repeat(2000) }]);
    const corrupt = Buffer.from(tar);
    corrupt[10] = 0x41;
    await expect(parse(corrupt)).rejects.toSatisfy(isInvalidArgument);
    await expect(parse(tar.subarray(0, 1000))).rejects.toSatisfy(isInvalidArgument);
    await expect(parse(tar.subarray(0, 300))).rejects.toSatisfy(isInvalidArgument);
    const sparse = encodePax([['GNU.sparse.major', '1']]);
    const sparseTar = Buffer.concat([rawHeader('PaxHeader', 'x', sparse.length), padded(sparse), rawHeader('s', '0', 0), Buffer.alloc(1024)]);
    await expect(parse(sparseTar)).rejects.toSatisfy(isNotImplemented);
  });

  it('accepts an archive without an end marker and ignores what follows the marker', async () => {
    const tar = await buildTar([{ name: 'a', content: 'A' }]);
    const withoutMarker = tar.subarray(0, 1024);
    expect((await parse(withoutMarker)).map((s) => s.entry.name)).toEqual(['a']);
    const withTrailer = Buffer.concat([tar, Buffer.from('garbage after the end')]);
    expect((await parse(withTrailer)).map((s) => s.entry.name)).toEqual(['a']);
  });
});
