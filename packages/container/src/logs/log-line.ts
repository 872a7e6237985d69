import { InvalidArgumentError } from '@berth/errdefs';

/** Which output of the process a log line came from. */
export type LogStream = 'stdout' | 'stderr';

/**
 * One line of a k8s-file (CRI) log, as conmon writes it:
 * `<RFC3339Nano timestamp> <stdout|stderr> <F|P> <text>\n`. `P` marks a partial line
 * (the text continues in the next `P`/`F` line of the same stream); `F` a full one.
 */
export interface LogLine {
  /** The timestamp as written. */
  timestamp: string;
  /** Nanoseconds since the epoch (UTC). */
  timeNs: bigint;
  stream: LogStream;
  partial: boolean;
  /** The text, without the newline. */
  content: Buffer;
}

const timestampPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Nanoseconds since the epoch of an RFC 3339 timestamp with up to nine fractional digits
 * (`2024-05-01T10:00:00.123456789Z`, `…+02:00`). `InvalidArgument` if malformed.
 */
export function parseTimestamp(text: string): bigint {
  const match = timestampPattern.exec(text);
  const seconds = match ? Date.parse(`${match[1]}Z`) : NaN;
  if (!match || Number.isNaN(seconds)) throw new InvalidArgumentError(`invalid log timestamp: ${text}`);
  let ns = BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
  const zone = match[3]!;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const minutes = BigInt(Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    ns -= sign * minutes * 60_000_000_000n;
  }
  return ns;
}

/** Nanoseconds since the epoch of a `Date` (millisecond precision). */
export function dateToNs(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}

/** The `Date` of a nanosecond timestamp (truncated to milliseconds). */
export function nsToDate(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}

/**
 * RFC 3339 in UTC with exactly nine fractional digits, as log files carry it
 * (`2024-05-01T10:00:00.120000000Z`): fixed width, so lines sort as text.
 */
export function formatTimestamp(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString().slice(0, 19);
  const fraction = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso}.${fraction}Z`;
}

/**
 * RFC 3339 in UTC as docker prints log timestamps (Go's `RFC3339Nano`): trailing zeros
 * of the fraction dropped (`…:00.12Z`, `…:00Z`).
 */
export function formatDockerTimestamp(ns: bigint): string {
  const fixed = formatTimestamp(ns);
  return fixed.replace(/\.?0+Z$/, 'Z');
}

/**
 * Parses one log line (without its newline). Returns `undefined` for a line that is not
 * in the format (a torn write, foreign text), which readers skip.
 */
export function parseLogLine(line: Buffer): LogLine | undefined {
  const firstSpace = line.indexOf(0x20);
  if (firstSpace < 0) return undefined;
  const secondSpace = line.indexOf(0x20, firstSpace + 1);
  if (secondSpace < 0) return undefined;
  const streamText = line.toString('latin1', firstSpace + 1, secondSpace);
  if (streamText !== 'stdout' && streamText !== 'stderr') return undefined;
  const thirdSpace = line.indexOf(0x20, secondSpace + 1);
  const tagEnd = thirdSpace < 0 ? line.length : thirdSpace;
  // Tags are `:`-separated; only the first (P or F) means anything today.
  const tag = line.toString('latin1', secondSpace + 1, tagEnd).split(':')[0];
  if (tag !== 'F' && tag !== 'P') return undefined;
  const timestamp = line.toString('latin1', 0, firstSpace);
  let timeNs: bigint;
  try {
    timeNs = parseTimestamp(timestamp);
  } catch {
    return undefined;
  }
  return {
    timestamp,
    timeNs,
    stream: streamText,
    partial: tag === 'P',
    content: thirdSpace < 0 ? Buffer.alloc(0) : line.subarray(thirdSpace + 1),
  };
}

/** One log line in k8s-file format, newline included. */
export function formatLogLine(line: { timeNs: bigint; stream: LogStream; partial: boolean; content: Buffer | string }): Buffer {
  const head = `${formatTimestamp(line.timeNs)} ${line.stream} ${line.partial ? 'P' : 'F'} `;
  const content = typeof line.content === 'string' ? Buffer.from(line.content) : line.content;
  return Buffer.concat([Buffer.from(head, 'latin1'), content, Buffer.from('\n')]);
}
