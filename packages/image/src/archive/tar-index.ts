import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import type { OpenOptions } from '../image.js';
import { withSignal } from '../layer/decompress.js';

/** One member of an indexed tar file. */
export interface TarEntry {
  /** Normalised path: no leading `./` or `/`, no trailing `/`. */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  /** Byte offset of the entry's data in the tar file. */
  offset: number;
  /** Data size in bytes. */
  size: number;
  /** Target of a symlink or hard link. */
  linkname?: string;
}

/**
 * Random access into a tar file: where each member's data starts and how long it is,
 * learnt in one pass over the headers only (member data is skipped, never read), so
 * members can later be opened as byte ranges of the file. The file must not change
 * while the index is in use.
 */
export interface TarIndex {
  /** The tar file. */
  readonly path: string;
  /** Members by normalised name; a later member of the same name wins, as in extraction. */
  readonly entries: ReadonlyMap<string, TarEntry>;
  /** The member named `name`, following symlinks and hard links; `undefined` if absent. */
  resolve(name: string): TarEntry | undefined;
  /** A fresh stream of a member's data. */
  open(entry: TarEntry, options?: OpenOptions): Readable;
  /** A member's data in memory; `InvalidArgument` above `maxSize` bytes. */
  readAll(entry: TarEntry, maxSize: number): Promise<Buffer>;
  /** The first `length` bytes of a member's data (fewer if it is shorter): for sniffing. */
  readPrefix(entry: TarEntry, length: number): Promise<Buffer>;
}

const block = 512;
const maxMetadataSize = 1 << 20;

/** Normalises a member name the way extraction would see it. */
export function normaliseTarName(name: string): string {
  const normal = posix.normalize(`/${name}`).replace(/^\/+/, '').replace(/\/+$/, '');
  return normal === '.' ? '' : normal;
}

function readString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function readNumber(buf: Buffer, start: number, length: number): number {
  // GNU base-256 for values that do not fit in octal.
  if (buf[start]! & 0x80) {
    let value = buf[start]! & 0x3f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + buf[i]!;
    return value;
  }
  const text = readString(buf, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return Number.parseInt(text, 8);
}

/** Whether a 512-byte block is a tar header with a valid checksum (GNU, POSIX or old tar). */
export function checksumMatches(header: Buffer): boolean {
  if (header.length < block) return false;
  const stored = readNumber(header, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < block; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = Number.parseInt(data.toString('utf8', pos, space), 10);
    if (!Number.isFinite(length) || length <= 0 || pos + length > data.length) break;
    const record = data.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    pos += length;
  }
  return records;
}

const typeFlags: Record<string, TarEntry['type']> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'link',
  '2': 'symlink',
  '5': 'directory',
};

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/**
 * Indexes the tar file at `path` (see {@link TarIndex}). A file that is not an
 * uncompressed tar — bad header checksums, members running past the end of the file — is
 * refused with `InvalidArgument`; a missing file is `NotFound`.
 */
export async function indexTar(path: string, options: OpenOptions = {}): Promise<TarIndex> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no such archive: ${path}`, { cause: err });
    throw err;
  }
  const entries = new Map<string, TarEntry>();
  try {
    const fileSize = (await handle.stat()).size;
    const corrupt = (why: string) => new InvalidArgumentError(`${path} is not a valid tar archive: ${why}`);
    let position = 0;
    let pax: Record<string, string> = {};
    let longName: string | undefined;
    let longLink: string | undefined;
    while (position < fileSize) {
      options.signal?.throwIfAborted();
      const header = await readAt(handle, position, block);
      if (header.length < block) throw corrupt(`truncated header at byte ${position}`);
      if (header.every((b) => b === 0)) break; // end-of-archive marker
      if (position === 0 && header[0] === 0x1f && header[1] === 0x8b) throw corrupt('it is gzip-compressed');
      if (!checksumMatches(header)) throw corrupt(`bad header checksum at byte ${position}`);
      const flag = String.fromCharCode(header[156]!);
      let size = readNumber(header, 124, 12);
      if (pax.size !== undefined) size = Number(pax.size);
      if (!Number.isSafeInteger(size) || size < 0) throw corrupt(`bad member size at byte ${position}`);
      const dataOffset = position + block;
      if (dataOffset + size > fileSize) throw corrupt(`member at byte ${position} runs past the end of the file`);
      position = dataOffset + Math.ceil(size / block) * block;

      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        if (size > maxMetadataSize) throw corrupt(`oversized metadata member at byte ${dataOffset - block}`);
        const data = await readAt(handle, dataOffset, size);
        if (flag === 'x') pax = { ...pax, ...parsePax(data) };
        else if (flag === 'L') longName = readString(data, 0, data.length);
        else if (flag === 'K') longLink = readString(data, 0, data.length);
        continue; // global headers ('g') only carry defaults Berth does not use
      }

      let name = readString(header, 0, 100);
      // POSIX ustar keeps a path prefix at 345; GNU tar ("ustar ") uses that space otherwise.
      const prefix = header.toString('latin1', 257, 263) === 'ustar\0' ? readString(header, 345, 155) : '';
      if (prefix) name = `${prefix}/${name}`;
      name = pax.path ?? longName ?? name;
      const linkname = pax.linkpath ?? longLink ?? readString(header, 157, 100);
      let type = typeFlags[flag] ?? 'other';
      if (type === 'file' && name.endsWith('/')) type = 'directory';
      const entry: TarEntry = { name: normaliseTarName(name), type, offset: dataOffset, size };
      if ((type === 'symlink' || type === 'link') && linkname) entry.linkname = linkname;
      if (entry.name !== '') entries.set(entry.name, entry);
      pax = {};
      longName = undefined;
      longLink = undefined;
    }
  } finally {
    await handle.close();
  }
  return tarIndexOf(path, entries);
}

async function readRange(path: string, entry: TarEntry, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const data = await readAt(handle, entry.offset, length);
    if (data.length !== length) throw new InvalidArgumentError(`${path} was truncated while reading ${entry.name}`);
    return data;
  } finally {
    await handle.close();
  }
}

function tarIndexOf(path: string, entries: Map<string, TarEntry>): TarIndex {
  return {
    path,
    entries,
    resolve(name) {
      let entry = entries.get(normaliseTarName(name));
      for (let hops = 0; entry && hops < 16; hops++) {
        if (entry.type === 'symlink' && entry.linkname !== undefined) {
          const target = entry.linkname.startsWith('/') ? entry.linkname : posix.join(posix.dirname(entry.name), entry.linkname);
          entry = entries.get(normaliseTarName(target));
        } else if (entry.type === 'link' && entry.linkname !== undefined) {
          entry = entries.get(normaliseTarName(entry.linkname));
        } else {
          return entry;
        }
      }
      return undefined;
    },
    open(entry, options = {}) {
      if (entry.size === 0) return withSignal(Readable.from([], { objectMode: false }), options.signal);
      const stream = createReadStream(path, { start: entry.offset, end: entry.offset + entry.size - 1, highWaterMark: 1 << 20 });
      return withSignal(stream, options.signal);
    },
    async readAll(entry, maxSize) {
      if (entry.size > maxSize) {
        throw new InvalidArgumentError(`${entry.name} in ${path} is ${entry.size} bytes, more than the ${maxSize} allowed for a document`);
      }
      return readRange(path, entry, entry.size);
    },
    readPrefix: (entry, length) => readRange(path, entry, Math.min(length, entry.size)),
  };
}
