import { InvalidArgumentError, NotImplementedError } from '@berth/errdefs';
import { type PaxRecords, parsePax, xattrsOf } from './pax.js';
import {
  type RawHeader,
  type TarEntry,
  type TarEntryType,
  blockSize,
  decodeHeader,
  hasData,
  isZeroBlock,
  paddingAfter,
} from './tar-header.js';

/**
 * Receives the entries of a tar stream in order. `data` gets exactly `entry.size` bytes
 * for a file, in one or more chunks that are only valid during the call. `entry` and
 * `entryEnd` may return a promise; the reader waits for it before going on.
 */
export interface TarEntrySink {
  entry(entry: TarEntry): void | Promise<void>;
  data(chunk: Buffer): void;
  entryEnd(): void | Promise<void>;
}

/** Extended headers larger than this are refused (they are buffered whole). */
const maxExtendedHeader = 16 << 20;

type State = 'header' | 'data' | 'extended' | 'skip' | 'end';

/**
 * An incremental tar parser: feed it the uncompressed bytes with {@link TarReader.write},
 * then call {@link TarReader.finish}. It understands ustar, GNU (long names and links,
 * base-256 numbers) and PAX (local and global headers, `path`, `linkpath`, `size`,
 * `uid`, `gid`, `mtime`, `atime`, binary `SCHILY.xattr.*` values). We parse ourselves
 * rather than through tar-stream because tar-stream decodes PAX values as UTF-8, which
 * corrupts binary xattrs such as `security.capability`, and because a synchronous
 * parser lets the layer writer handle a whole chunk without a stream object per entry.
 */
export class TarReader {
  private state: State = 'header';
  private partial: Buffer | undefined;
  private partialLength = 0;
  private remaining = 0;
  private padding = 0;
  private offset = 0;
  private extended: { header: RawHeader; body: Buffer; filled: number } | undefined;
  private pax: PaxRecords | undefined;
  private globalPax: PaxRecords | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;

  constructor(private readonly sink: TarEntrySink) {}

  /** Parses a chunk; resolves when the sink has handled every entry it completes. */
  async write(chunk: Buffer): Promise<void> {
    let pos = 0;
    while (pos < chunk.length) {
      const available = chunk.length - pos;
      switch (this.state) {
        case 'end':
          // Trailing blocks after the end marker (GNU tar pads to a record) are ignored.
          this.offset += available;
          return;
        case 'header': {
          let block: Buffer;
          if (this.partialLength > 0 || available < blockSize) {
            this.partial ??= Buffer.alloc(blockSize);
            const n = Math.min(blockSize - this.partialLength, available);
            chunk.copy(this.partial, this.partialLength, pos, pos + n);
            this.partialLength += n;
            pos += n;
            if (this.partialLength < blockSize) return;
            block = this.partial;
            this.partialLength = 0;
          } else {
            block = chunk.subarray(pos, pos + blockSize);
            pos += blockSize;
          }
          const headerOffset = this.offset;
          this.offset += blockSize;
          const pending = this.onHeader(block, headerOffset);
          if (pending) await pending;
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, available);
          this.sink.data(chunk.subarray(pos, pos + n));
          pos += n;
          this.offset += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.toPadding();
            const pending = this.sink.entryEnd();
            if (pending) await pending;
          }
          break;
        }
        case 'extended': {
          const ext = this.extended!;
          const n = Math.min(ext.body.length - ext.filled, available);
          chunk.copy(ext.body, ext.filled, pos, pos + n);
          ext.filled += n;
          pos += n;
          this.offset += n;
          if (ext.filled === ext.body.length) {
            this.extended = undefined;
            this.onExtended(ext.header, ext.body);
            this.toPadding();
          }
          break;
        }
        case 'skip': {
          const n = Math.min(this.remaining, available);
          pos += n;
          this.offset += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'header';
          break;
        }
      }
    }
  }

  /** Checks that the stream ended on an entry boundary; throws `InvalidArgument` if truncated. */
  finish(): void {
    if (this.state === 'end') return;
    const clean =
      this.state === 'header' &&
      this.partialLength === 0 &&
      this.pax === undefined &&
      this.longName === undefined &&
      this.longLink === undefined;
    if (!clean) {
      throw new InvalidArgumentError(`layer tar is truncated: it ends in the middle of an entry (after ${this.offset} bytes)`);
    }
  }

  private toPadding(): void {
    this.remaining = this.padding;
    this.padding = 0;
    this.state = this.remaining > 0 ? 'skip' : 'header';
  }

  private onHeader(block: Buffer, headerOffset: number): void | Promise<void> {
    if (isZeroBlock(block)) {
      this.state = 'end';
      return;
    }
    const header = decodeHeader(block, headerOffset);
    if (header.kind === 'pax' || header.kind === 'pax-global' || header.kind === 'gnu-long-name' || header.kind === 'gnu-long-link') {
      if (header.size > maxExtendedHeader) {
        throw new InvalidArgumentError(`layer tar has a ${header.size}-byte extended header at byte ${headerOffset}; the limit is ${maxExtendedHeader}`);
      }
      this.extended = { header, body: Buffer.alloc(header.size), filled: 0 };
      this.padding = paddingAfter(header.size);
      this.state = 'extended';
      if (header.size === 0) {
        this.extended = undefined;
        this.onExtended(header, Buffer.alloc(0));
        this.toPadding();
      }
      return;
    }
    const entry = this.entryFrom(header, headerOffset);
    const size = hasData(entry.type) ? entry.size : 0;
    entry.size = size;
    this.remaining = size;
    this.padding = paddingAfter(size);
    if (size > 0) this.state = 'data';
    const started = this.sink.entry(entry);
    if (size > 0) return started;
    this.state = 'header';
    if (started) return started.then(() => this.sink.entryEnd());
    return this.sink.entryEnd();
  }

  private onExtended(header: RawHeader, body: Buffer): void {
    switch (header.kind) {
      case 'pax':
        this.pax = new Map([...(this.pax ?? []), ...parsePax(body, this.offset)]);
        break;
      case 'pax-global':
        this.globalPax = new Map([...(this.globalPax ?? []), ...parsePax(body, this.offset)]);
        break;
      case 'gnu-long-name':
        this.longName = nulTerminated(body);
        break;
      case 'gnu-long-link':
        this.longLink = nulTerminated(body);
        break;
      default:
        break;
    }
  }

  private entryFrom(header: RawHeader, headerOffset: number): TarEntry {
    const records = this.globalPax && this.pax ? new Map([...this.globalPax, ...this.pax]) : (this.pax ?? this.globalPax);
    const entry: TarEntry = {
      name: this.longName ?? header.name,
      type: header.kind as TarEntryType,
      size: header.size,
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      mtime: header.mtime,
      atime: undefined,
      linkname: this.longLink ?? header.linkname,
      devmajor: header.devmajor,
      devminor: header.devminor,
      xattrs: undefined,
    };
    this.pax = undefined;
    this.longName = undefined;
    this.longLink = undefined;
    if (records) applyPax(entry, records, headerOffset);
    if (header.legacyFile && entry.name.endsWith('/')) entry.type = 'directory';
    return entry;
  }
}

function nulTerminated(body: Buffer): string {
  const end = body.indexOf(0);
  return body.toString('utf8', 0, end === -1 ? body.length : end);
}

function paxNumber(records: PaxRecords, key: string, headerOffset: number): number | undefined {
  const raw = records.get(key);
  if (raw === undefined || raw.length === 0) return undefined;
  const value = Number(raw.toString('latin1'));
  if (!Number.isFinite(value)) {
    throw new InvalidArgumentError(`layer tar has an invalid PAX ${key} "${raw.toString('latin1')}" for the entry at byte ${headerOffset}`);
  }
  return value;
}

function applyPax(entry: TarEntry, records: PaxRecords, headerOffset: number): void {
  for (const key of records.keys()) {
    if (key.startsWith('GNU.sparse.')) {
      throw new NotImplementedError(`layer tar has a sparse file (PAX ${key}) at byte ${headerOffset}; sparse entries are not supported`);
    }
  }
  const path = records.get('path');
  if (path !== undefined && path.length > 0) entry.name = path.toString('utf8');
  const linkpath = records.get('linkpath');
  if (linkpath !== undefined && linkpath.length > 0) entry.linkname = linkpath.toString('utf8');
  entry.size = paxNumber(records, 'size', headerOffset) ?? entry.size;
  entry.uid = paxNumber(records, 'uid', headerOffset) ?? entry.uid;
  entry.gid = paxNumber(records, 'gid', headerOffset) ?? entry.gid;
  entry.mtime = paxNumber(records, 'mtime', headerOffset) ?? entry.mtime;
  entry.atime = paxNumber(records, 'atime', headerOffset);
  entry.xattrs = xattrsOf(records);
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
    throw new InvalidArgumentError(`layer tar has an invalid size for the entry at byte ${headerOffset}`);
  }
}
