import { InvalidArgumentError } from '@berth/errdefs';
import { formatIp, parseIp } from '../ipam/ip-address.js';

/** Record types the embedded DNS understands by name; others travel as numbers with raw data. */
export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, PTR: 12, MX: 15, TXT: 16, AAAA: 28, ANY: 255 } as const;
/** The Internet class. */
export const DNS_CLASS_IN = 1;
/** Response codes used here. */
export const DNS_RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** One question: a name and the record type asked for. */
export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

/** One resource record. `data` is an address for A/AAAA, a name for CNAME/PTR/NS, else raw bytes. */
export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: string | Uint8Array;
}

/** A DNS message (RFC 1035 §4): header fields, then the four sections. */
export interface DnsMessage {
  id: number;
  /** QR bit: true in responses. */
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

const NAME_TYPES = new Set<number>([DNS_TYPE.CNAME, DNS_TYPE.PTR, DNS_TYPE.NS]);

function malformed(why: string): never {
  throw new InvalidArgumentError(`malformed DNS message: ${why}`);
}

function encodeName(name: string): Buffer {
  const trimmed = name.replace(/\.$/, '');
  const parts: Buffer[] = [];
  for (const label of trimmed === '' ? [] : trimmed.split('.')) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length === 0 || bytes.length > 63) throw new InvalidArgumentError(`invalid DNS label in ${JSON.stringify(name)}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function encodeRecord(record: DnsRecord): Buffer {
  let data: Buffer;
  if (typeof record.data !== 'string') data = Buffer.from(record.data);
  else if (record.type === DNS_TYPE.A || record.type === DNS_TYPE.AAAA) {
    const ip = parseIp(record.data);
    if (ip.family !== (record.type === DNS_TYPE.A ? 4 : 6)) {
      throw new InvalidArgumentError(`${record.type === DNS_TYPE.A ? 'A' : 'AAAA'} record for ${record.name} cannot hold ${record.data}`);
    }
    const size = ip.family === 4 ? 4 : 16;
    data = Buffer.alloc(size);
    for (let i = 0; i < size; i += 1) data[i] = Number((ip.value >> BigInt((size - 1 - i) * 8)) & 0xffn);
  } else if (NAME_TYPES.has(record.type)) data = encodeName(record.data);
  else data = Buffer.from(record.data, 'utf8');
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.type, 0);
  fixed.writeUInt16BE(record.class, 2);
  fixed.writeUInt32BE(record.ttl >>> 0, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([encodeName(record.name), fixed, data]);
}

/** Serialises a message (names uncompressed — always valid, slightly larger). */
export function encodeDnsMessage(message: DnsMessage): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(message.id & 0xffff, 0);
  const flags =
    (message.response ? 0x8000 : 0) |
    ((message.opcode & 0xf) << 11) |
    (message.authoritative ? 0x0400 : 0) |
    (message.truncated ? 0x0200 : 0) |
    (message.recursionDesired ? 0x0100 : 0) |
    (message.recursionAvailable ? 0x0080 : 0) |
    (message.rcode & 0xf);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(message.questions.length, 4);
  header.writeUInt16BE(message.answers.length, 6);
  header.writeUInt16BE(message.authorities.length, 8);
  header.writeUInt16BE(message.additionals.length, 10);
  const questions = message.questions.map((q) => {
    const fixed = Buffer.alloc(4);
    fixed.writeUInt16BE(q.type, 0);
    fixed.writeUInt16BE(q.class, 2);
    return Buffer.concat([encodeName(q.name), fixed]);
  });
  const records = [...message.answers, ...message.authorities, ...message.additionals].map(encodeRecord);
  return Buffer.concat([header, ...questions, ...records]);
}

/** Reads a possibly compressed name at `offset`; returns it and the offset after it. */
function decodeName(buffer: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  let position = offset;
  let end = -1;
  for (let jumps = 0; ; ) {
    if (position >= buffer.length) malformed('name runs past the end');
    const length = buffer[position] ?? 0;
    if (length === 0) {
      position += 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      if (position + 1 >= buffer.length) malformed('truncated compression pointer');
      if (end < 0) end = position + 2;
      position = ((length & 0x3f) << 8) | (buffer[position + 1] ?? 0);
      jumps += 1;
      if (jumps > 64) malformed('compression loop');
      continue;
    }
    if ((length & 0xc0) !== 0) malformed('unknown label type');
    if (position + 1 + length > buffer.length) malformed('label runs past the end');
    labels.push(buffer.toString('utf8', position + 1, position + 1 + length));
    position += 1 + length;
  }
  return [labels.join('.'), end < 0 ? position : end];
}

function decodeRecord(buffer: Buffer, offset: number): [DnsRecord, number] {
  const [name, afterName] = decodeName(buffer, offset);
  if (afterName + 10 > buffer.length) malformed('truncated record');
  const type = buffer.readUInt16BE(afterName);
  const klass = buffer.readUInt16BE(afterName + 2);
  const ttl = buffer.readUInt32BE(afterName + 4);
  const length = buffer.readUInt16BE(afterName + 8);
  const start = afterName + 10;
  if (start + length > buffer.length) malformed('record data runs past the end');
  const raw = buffer.subarray(start, start + length);
  let data: string | Uint8Array;
  if (type === DNS_TYPE.A && length === 4) data = [...raw].join('.');
  else if (type === DNS_TYPE.AAAA && length === 16) {
    data = formatIp({ family: 6, value: [...raw].reduce((value, byte) => (value << 8n) | BigInt(byte), 0n) });
  } else if (NAME_TYPES.has(type)) data = decodeName(buffer, start)[0];
  else data = new Uint8Array(raw);
  return [{ name, type, class: klass, ttl, data }, start + length];
}

/** Parses a DNS message; `InvalidArgument` when the bytes are not one. */
export function decodeDnsMessage(bytes: Uint8Array): DnsMessage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 12) malformed('shorter than a header');
  const flags = buffer.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((at) => buffer.readUInt16BE(at)) as [number, number, number, number];
  let offset = 12;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i += 1) {
    const [name, after] = decodeName(buffer, offset);
    if (after + 4 > buffer.length) malformed('truncated question');
    questions.push({ name, type: buffer.readUInt16BE(after), class: buffer.readUInt16BE(after + 2) });
    offset = after + 4;
  }
  const sections: DnsRecord[][] = [[], [], []];
  for (const [index, count] of counts.slice(1).entries()) {
    for (let i = 0; i < count; i += 1) {
      const [record, after] = decodeRecord(buffer, offset);
      sections[index]?.push(record);
      offset = after;
    }
  }
  return {
    id: buffer.readUInt16BE(0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: sections[0] ?? [],
    authorities: sections[1] ?? [],
    additionals: sections[2] ?? [],
  };
}

/** A query for `name`/`type` with recursion desired. */
export function dnsQuery(id: number, name: string, type: number): DnsMessage {
  return {
    id,
    response: false,
    opcode: 0,
    authoritative: false,
    truncated: false,
    recursionDesired: true,
    recursionAvailable: false,
    rcode: 0,
    questions: [{ name, type, class: DNS_CLASS_IN }],
    answers: [],
    authorities: [],
    additionals: [],
  };
}
