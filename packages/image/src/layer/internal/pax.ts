import { InvalidArgumentError } from '@berth/errdefs';

/** PAX extended-header records, key → raw value bytes (xattr values are binary). */
export type PaxRecords = Map<string, Buffer>;

const schilyXattr = 'SCHILY.xattr.';
const libarchiveXattr = 'LIBARCHIVE.xattr.';

/** Parses the body of a PAX header: `"<length> <key>=<value>\n"` records. */
export function parsePax(body: Buffer, offset: number): PaxRecords {
  const records: PaxRecords = new Map();
  let pos = 0;
  while (pos < body.length) {
    // Some writers pad the body with NULs.
    if (body[pos] === 0) break;
    const space = body.indexOf(0x20, pos);
    const length = space === -1 ? NaN : Number(body.toString('latin1', pos, space));
    if (!Number.isSafeInteger(length) || length <= space - pos + 1 || pos + length > body.length) {
      throw new InvalidArgumentError(`layer tar has a malformed PAX record in the header at byte ${offset}`);
    }
    const record = body.subarray(space + 1, pos + length);
    const equals = record.indexOf(0x3d);
    if (equals === -1 || record[record.length - 1] !== 0x0a) {
      throw new InvalidArgumentError(`layer tar has a malformed PAX record in the header at byte ${offset}`);
    }
    records.set(record.toString('utf8', 0, equals), record.subarray(equals + 1, record.length - 1));
    pos += length;
  }
  return records;
}

/** The extended attributes a set of PAX records carries, or `undefined` when none. */
export function xattrsOf(records: PaxRecords): Map<string, Buffer> | undefined {
  let xattrs: Map<string, Buffer> | undefined;
  for (const [key, value] of records) {
    if (key.startsWith(schilyXattr)) {
      (xattrs ??= new Map()).set(key.slice(schilyXattr.length), value);
    } else if (key.startsWith(libarchiveXattr)) {
      // libarchive URL-encodes the name and base64-encodes the value.
      const name = decodeURIComponent(key.slice(libarchiveXattr.length));
      (xattrs ??= new Map()).set(name, Buffer.from(value.toString('latin1'), 'base64'));
    }
  }
  return xattrs;
}

/** One encoded PAX record; the length prefix counts itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = body.length + String(body.length).length;
  if (String(length).length !== String(body.length).length) length = body.length + String(length).length;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

/** Encodes PAX records (in the given order) as a header body. */
export function encodePax(records: Iterable<[string, string | Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of records) parts.push(paxRecord(key, typeof value === 'string' ? Buffer.from(value) : value));
  return Buffer.concat(parts);
}

/** The PAX key recording extended attribute `name`. */
export function xattrPaxKey(name: string): string {
  return schilyXattr + name;
}
