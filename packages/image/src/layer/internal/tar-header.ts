import { InvalidArgumentError } from '@berth/errdefs';

/** Size of a tar block: headers and data padding are multiples of it. */
export const blockSize = 512;

/** The entry types a layer may contain, after extended headers are folded in. */
export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

/** One archive member, with PAX and GNU long-name headers already applied. */
export interface TarEntry {
  /** The path as written in the archive (not cleaned). */
  name: string;
  type: TarEntryType;
  /** Bytes of data that follow the header (0 for everything but files). */
  size: number;
  /** Permission bits including setuid, setgid and sticky (`& 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch; fractional when a PAX `mtime` gave sub-second precision. */
  mtime: number;
  /** Seconds since the epoch, from a PAX `atime`; `undefined` when absent. */
  atime: number | undefined;
  /** Symlink target, or the archive path a hardlink points to. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from `SCHILY.xattr.*` / `LIBARCHIVE.xattr.*` PAX records. */
  xattrs: Map<string, Buffer> | undefined;
}

/** What a header block announces: an entry, or one of the extended headers that modify the next entry. */
export type RawHeaderKind = TarEntryType | 'pax' | 'pax-global' | 'gnu-long-name' | 'gnu-long-link';

/** A decoded header block, before extended headers are applied. */
export interface RawHeader {
  kind: RawHeaderKind;
  /** Type flag NUL (pre-POSIX): a name ending in `/` makes it a directory, judged on the final name. */
  legacyFile: boolean;
  name: string;
  linkname: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  devmajor: number;
  devminor: number;
}

const typeflags: Record<string, RawHeaderKind> = {
  '0': 'file',
  '\0': 'file', // pre-POSIX: a directory if the name ends with '/' (see `legacyFile`)
  '7': 'file', // contiguous file: a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
  x: 'pax',
  g: 'pax-global',
  L: 'gnu-long-name',
  K: 'gnu-long-link',
};

/** Whether a block is all zeros (the end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < blockSize; i += 1) if (block[i] !== 0) return false;
  return true;
}

function cString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

/** Parses a numeric field: octal text, or GNU/star base-256 when the high bit is set. */
function numeric(block: Buffer, start: number, length: number, field: string, offset: number): number {
  const first = block[start]!;
  if (first & 0x80) {
    if (first === 0xff) throw invalid(`negative ${field}`, offset);
    let value = first & 0x7f;
    for (let i = 1; i < length; i += 1) value = value * 256 + block[start + i]!;
    if (!Number.isSafeInteger(value)) throw invalid(`${field} too large`, offset);
    return value;
  }
  let i = start;
  const end = start + length;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i += 1;
  let value = 0;
  for (; i < end; i += 1) {
    const c = block[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) throw invalid(`${field} is not an octal number`, offset);
    value = value * 8 + (c - 0x30);
  }
  return value;
}

function invalid(what: string, offset: number): InvalidArgumentError {
  return new InvalidArgumentError(`layer is not a valid tar archive: ${what} in the header at byte ${offset}`);
}

function checksumMatches(block: Buffer, offset: number): boolean {
  let recorded: number;
  try {
    recorded = numeric(block, 148, 8, 'checksum', offset);
  } catch {
    return false;
  }
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < blockSize; i += 1) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return recorded === unsigned || recorded === signed;
}

/**
 * Decodes one non-zero header block. Throws `InvalidArgument` for a bad checksum (the
 * usual symptom of input that is not a tar, or is still compressed) and for entry
 * types a layer cannot hold (sparse files, volume labels…).
 */
export function decodeHeader(block: Buffer, offset: number): RawHeader {
  if (!checksumMatches(block, offset)) {
    throw invalid('bad checksum (not a tar stream, or still compressed?)', offset);
  }
  const flag = String.fromCharCode(block[156]!);
  const kind = typeflags[flag];
  if (kind === undefined) {
    throw new InvalidArgumentError(
      `layer tar has an entry of unsupported type '${flag}' (header at byte ${offset}): sparse files, volume labels and multi-volume archives cannot be applied`,
    );
  }
  let name = cString(block, 0, 100);
  // POSIX ustar splits long names into prefix + name; GNU uses those bytes for other things.
  const ustar = block.toString('latin1', 257, 263) === 'ustar\0';
  if (ustar && block[345] !== 0) name = `${cString(block, 345, 155)}/${name}`;
  return {
    kind,
    legacyFile: block[156] === 0,
    name,
    linkname: cString(block, 157, 100),
    size: numeric(block, 124, 12, 'size', offset),
    mode: numeric(block, 100, 8, 'mode', offset) & 0o7777,
    uid: numeric(block, 108, 8, 'uid', offset),
    gid: numeric(block, 116, 8, 'gid', offset),
    mtime: numeric(block, 136, 12, 'mtime', offset),
    devmajor: numeric(block, 329, 8, 'devmajor', offset),
    devminor: numeric(block, 337, 8, 'devminor', offset),
  };
}

/** Entry types whose header carries no data, whatever its size field says (as Go's archive/tar). */
export function hasData(kind: RawHeaderKind): boolean {
  return kind === 'file' || kind === 'pax' || kind === 'pax-global' || kind === 'gnu-long-name' || kind === 'gnu-long-link';
}

/** Bytes of zero padding after `size` bytes of data. */
export function paddingAfter(size: number): number {
  const rest = size % blockSize;
  return rest === 0 ? 0 : blockSize - rest;
}
