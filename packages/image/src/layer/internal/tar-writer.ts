import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { FailedPreconditionError } from '@berth/errdefs';
import { fsError } from './fs-errors.js';
import { encodePax, xattrPaxKey } from './pax.js';
import { type TarEntryType, blockSize, paddingAfter } from './tar-header.js';

/** One member to write, as the tar writer takes it. */
export interface TarWriteEntry {
  /** Relative archive path without a trailing slash (directories get one added). */
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  /** Whole seconds (docker and containerd truncate layer times to seconds). */
  mtime: number;
  /** Data bytes (files only). */
  size: number;
  /** Symlink target or, for a hardlink, the archive path of the first name of the inode. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Map<string, Buffer> | undefined;
  /** Where a file's `size` bytes are read from. */
  contentPath?: string;
  /**
   * The inode `contentPath` had when the tree was walked. The opened file must still be
   * it: a running container swapping a file or a parent directory for a symlink could
   * otherwise smuggle host files into the archive.
   */
  contentIdentity?: { dev: bigint; ino: bigint };
}

const typeflag: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

const maxOctal7 = 0o7777777;
const maxOctal11 = 0o77777777777;
const chunkSize = 1 << 20;
/** Small headers and files are gathered into chunks of about this size before being pushed. */
const batchSize = 256 << 10;

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) if (value.charCodeAt(i) > 0x7e) return false;
  return true;
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(value.toString(8).padStart(length - 1, '0'), offset, length - 1, 'latin1');
}

/** Splits a long name into ustar prefix and name, or `undefined` when it cannot be. */
function splitUstarName(name: string): [string, string] | undefined {
  if (name.length <= 100) return ['', name];
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    if (i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return [name.slice(0, i), name.slice(i + 1)];
  }
  return undefined;
}

function ustarHeader(fields: {
  name: string;
  prefix: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
}): Buffer {
  const block = Buffer.alloc(blockSize);
  block.write(fields.name, 0, 100, 'utf8');
  writeOctal(block, fields.mode, 100, 8);
  writeOctal(block, fields.uid, 108, 8);
  writeOctal(block, fields.gid, 116, 8);
  writeOctal(block, fields.size, 124, 12);
  writeOctal(block, fields.mtime, 136, 12);
  block.write(fields.type, 156, 1, 'latin1');
  block.write(fields.linkname, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 8, 'latin1');
  writeOctal(block, fields.devmajor, 329, 8);
  writeOctal(block, fields.devminor, 337, 8);
  block.write(fields.prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < blockSize; i += 1) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

/**
 * Encodes the header of one member: a ustar block, preceded by a PAX header when the
 * entry needs one (long or non-ASCII names, large ids or sizes, xattrs — whose binary
 * values PAX carries byte for byte).
 */
export function encodeHeader(entry: TarWriteEntry): Buffer {
  const name = entry.type === 'directory' ? `${entry.name}/` : entry.name;
  const linkname = entry.linkname ?? '';
  const records: [string, string | Buffer][] = [];
  const split = isAscii(name) ? splitUstarName(name) : undefined;
  if (split === undefined) records.push(['path', name]);
  if (linkname.length > 100 || !isAscii(linkname)) records.push(['linkpath', linkname]);
  if (entry.uid > maxOctal7) records.push(['uid', String(entry.uid)]);
  if (entry.gid > maxOctal7) records.push(['gid', String(entry.gid)]);
  if (entry.size > maxOctal11) records.push(['size', String(entry.size)]);
  for (const [key, value] of [...(entry.xattrs ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    records.push([xattrPaxKey(key), value]);
  }
  const header = ustarHeader({
    name: split ? split[1] : name.slice(0, 99).replace(/\/+$/, ''),
    prefix: split ? split[0] : '',
    type: typeflag[entry.type],
    mode: entry.mode & 0o7777,
    uid: entry.uid > maxOctal7 ? 0 : entry.uid,
    gid: entry.gid > maxOctal7 ? 0 : entry.gid,
    size: entry.size > maxOctal11 ? 0 : entry.size,
    mtime: Math.min(Math.max(0, Math.floor(entry.mtime)), maxOctal11),
    linkname: linkname.length > 100 || !isAscii(linkname) ? '' : linkname,
    devmajor: Math.min(entry.devmajor ?? 0, maxOctal7),
    devminor: Math.min(entry.devminor ?? 0, maxOctal7),
  });
  if (records.length === 0) return header;
  const body = encodePax(records);
  const base = entry.name.slice(entry.name.lastIndexOf('/') + 1);
  const paxHeader = ustarHeader({
    name: isAscii(base) ? `PaxHeaders.0/${base}`.slice(0, 100) : 'PaxHeaders.0/entry',
    prefix: '',
    type: 'x',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: body.length,
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxHeader, body, Buffer.alloc(paddingAfter(body.length)), header]);
}

/** Reads exactly `size` bytes of a file in chunks; fails if the file changed size or identity. */
function* fileContent(path: string, size: number, identity: TarWriteEntry['contentIdentity']): Generator<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new FailedPreconditionError(`${path} was replaced by a symlink while it was being archived`);
    }
    throw fsError(err, `cannot read ${path}`);
  }
  try {
    if (identity) {
      const stat = fstatSync(fd, { bigint: true });
      if (stat.dev !== identity.dev || stat.ino !== identity.ino) {
        throw new FailedPreconditionError(`${path} was replaced while it was being archived`);
      }
    }
    let remaining = size;
    while (remaining > 0) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkSize, remaining));
      let filled = 0;
      while (filled < chunk.length) {
        const n = readSync(fd, chunk, filled, chunk.length - filled, null);
        if (n === 0) throw new FailedPreconditionError(`${path} shrank while it was being archived`);
        filled += n;
      }
      remaining -= filled;
      yield chunk;
    }
    if (readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0) {
      throw new FailedPreconditionError(`${path} grew while it was being archived`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A tar stream of `entries` (produced lazily, so the caller can compute them inside
 * the stream), ending with the two zero blocks. File contents are streamed in 1 MiB
 * chunks as the consumer reads; small members are gathered into larger chunks.
 */
export function tarStream(entries: () => AsyncIterable<TarWriteEntry> | Iterable<TarWriteEntry>, signal?: AbortSignal): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    let batch: Buffer[] = [];
    let batched = 0;
    const take = (): Buffer => {
      const out = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
      batch = [];
      batched = 0;
      return out;
    };
    for await (const entry of entries()) {
      signal?.throwIfAborted();
      batch.push(encodeHeader(entry));
      batched += batch[batch.length - 1]!.length;
      if (entry.type === 'file' && entry.size > 0) {
        for (const chunk of fileContent(entry.contentPath!, entry.size, entry.contentIdentity)) {
          if (chunk.length >= batchSize) {
            if (batched > 0) yield take();
            yield chunk;
          } else {
            batch.push(chunk);
            batched += chunk.length;
          }
        }
        const padding = paddingAfter(entry.size);
        if (padding > 0) {
          batch.push(Buffer.alloc(padding));
          batched += padding;
        }
      }
      if (batched >= batchSize) yield take();
    }
    batch.push(Buffer.alloc(2 * blockSize));
    batched += 2 * blockSize;
    yield take();
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 << 20 });
}
