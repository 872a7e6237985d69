import { type LogLine, type LogStream, dateToNs, formatDockerTimestamp, nsToDate, parseLogLine } from './log-line.js';
import { logFiles } from './log-files.js';
import { followLines, readCompleteLines } from './read-lines.js';
import { type LogPosition, tailStart } from './tail-start.js';

/** One message of a container's output: a full line, or what was left without a newline. */
export interface LogEntry {
  stream: LogStream;
  /** When the (last part of the) line was written, as in the file. */
  timestamp: string;
  /** Nanoseconds since the epoch. */
  timeNs: bigint;
  /** `timeNs` as a `Date` (millisecond precision). */
  time: Date;
  /** The text, without its newline. */
  message: Buffer;
  /** `true` when the text ended without a newline (the process exited mid-line). */
  partial: boolean;
}

/** Options of {@link readLogs}, as `docker logs` has them. */
export interface ReadLogsOptions {
  /** Include stdout (default `true`). */
  stdout?: boolean;
  /** Include stderr (default `true`). */
  stderr?: boolean;
  /** Only messages written at or after this time (a `bigint` is nanoseconds since the epoch). */
  since?: Date | bigint;
  /** Only messages written at or before this time. */
  until?: Date | bigint;
  /** Only the last `tail` messages (that pass the other filters); absent or negative: all. */
  tail?: number;
  /** Keep reading as the container writes, across rotations, until `followUntil` settles or `signal` aborts. */
  follow?: boolean;
  /** With `follow`: settles when the container stopped; the rest of the file is read, then iteration ends. */
  followUntil?: PromiseLike<unknown>;
  /** Aborts reading: iteration throws the abort reason. */
  signal?: AbortSignal;
  /** With `follow`: how often to look for new lines besides file events (default 100 ms). */
  pollIntervalMs?: number;
}

function toNs(value: Date | bigint | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'bigint' ? value : dateToNs(value);
}

/** Joins `P` lines with the `F` line that ends them, per stream. */
class EntryAssembler {
  private readonly pending = new Map<LogStream, Buffer[]>();

  add(line: LogLine): LogEntry | undefined {
    const parts = this.pending.get(line.stream) ?? [];
    parts.push(line.content);
    if (line.partial) {
      this.pending.set(line.stream, parts);
      return undefined;
    }
    this.pending.delete(line.stream);
    return this.entry(line, parts, false);
  }

  /** What is left without an ending line: the process stopped mid-line. */
  flush(last: Map<LogStream, LogLine>): LogEntry[] {
    const entries: LogEntry[] = [];
    for (const [stream, parts] of this.pending) entries.push(this.entry(last.get(stream)!, parts, true));
    this.pending.clear();
    return entries;
  }

  private entry(line: LogLine, parts: Buffer[], partial: boolean): LogEntry {
    return {
      stream: line.stream,
      timestamp: line.timestamp,
      timeNs: line.timeNs,
      time: nsToDate(line.timeNs),
      message: parts.length === 1 ? parts[0]! : Buffer.concat(parts),
      partial,
    };
  }
}

/**
 * Reads a container's k8s-file log — the file at `path` and its rotated backups
 * (`path.1` … newest first) — as messages, oldest first: `P` continuation lines are
 * joined with their `F` line, stdout and stderr can be selected, `since`/`until` filter
 * by time, `tail` keeps the last N messages (found by reading the files backwards in
 * chunks), `follow` keeps reading as lines are written and the log rotates. Files are
 * streamed: memory stays a chunk and a message whatever their size. Lines that are not
 * in the format are skipped.
 */
export async function* readLogs(path: string, options: ReadLogsOptions = {}): AsyncGenerator<LogEntry> {
  const { signal } = options;
  signal?.throwIfAborted();
  const wantStdout = options.stdout ?? true;
  const wantStderr = options.stderr ?? true;
  const since = toNs(options.since);
  const until = toNs(options.until);
  const accept = (line: { stream: LogStream; timeNs: bigint }) =>
    (line.stream === 'stdout' ? wantStdout : wantStderr) &&
    (since === undefined || line.timeNs >= since) &&
    (until === undefined || line.timeNs <= until);

  const files = await logFiles(path);
  const start: LogPosition =
    options.tail !== undefined && options.tail >= 0 ? await tailStart(files, options.tail, accept) : { fileIndex: 0, offset: 0 };

  const assembler = new EntryAssembler();
  const lastLine = new Map<LogStream, LogLine>();
  for (let fileIndex = start.fileIndex; fileIndex < files.length; fileIndex++) {
    const offset = fileIndex === start.fileIndex ? start.offset : 0;
    const newest = fileIndex === files.length - 1;
    const lines =
      newest && options.follow
        ? followLines(files[fileIndex]!, offset, { until: options.followUntil, signal, pollIntervalMs: options.pollIntervalMs })
        : readCompleteLines(files[fileIndex]!, offset, signal);
    for await (const raw of lines) {
      const line = parseLogLine(raw);
      if (!line) continue;
      // Past `until` nothing newer can match: stop reading (and following).
      if (until !== undefined && line.timeNs > until) return;
      lastLine.set(line.stream, line);
      const entry = assembler.add(line);
      if (entry && accept(entry)) yield entry;
    }
  }
  for (const entry of assembler.flush(lastLine)) if (accept(entry)) yield entry;
}

/**
 * A log message as `docker logs` prints it: the text with its newline (none for a
 * partial one), prefixed by docker's RFC3339Nano UTC timestamp and a space when
 * `timestamps` is set.
 */
export function formatLogEntry(entry: LogEntry, options: { timestamps?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  if (options.timestamps) parts.push(Buffer.from(`${formatDockerTimestamp(entry.timeNs)} `));
  parts.push(entry.message);
  if (!entry.partial) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}
