import { appendFile, rename, rm, stat, truncate } from 'node:fs/promises';
import { InvalidArgumentError } from '@berth/errdefs';
import { type Clock, systemClock } from '../clock/clock.js';
import { type LogStream, dateToNs, formatLogLine } from './log-line.js';
import { rotatedLogPath } from './log-files.js';

/** Options of {@link createLogWriter}. */
export interface LogWriterOptions {
  /** Rotate once the file reaches this many bytes (docker's `max-size`; default: never). */
  maxSize?: number;
  /** Files kept, the live one included (docker's `max-file`, default 1: the file is truncated instead). */
  maxFiles?: number;
  /** Timestamps come from this clock (default: the system clock). */
  clock?: Clock;
  /** Longer lines are written as `P` parts of this many bytes (default 16 KiB, like conmon's buffer). */
  maxLineBytes?: number;
}

/**
 * Writes a container's output as a k8s-file log (what conmon writes), with docker's
 * rotation. Used by the fake runtime; the real runtime's log is written by conmon.
 * Writes are queued and applied in order; `await flush()` or `close()` to know they are on disk.
 */
export interface LogWriter {
  /** Appends output of `stream`: complete lines are written as `F` lines, the rest is held. */
  write(stream: LogStream, data: Buffer | string): void;
  /** Writes held text without a newline as `P` lines (the process ended mid-line). */
  endStreams(): void;
  /** Resolves when everything queued is written. */
  flush(): Promise<void>;
  /** Ends the streams and flushes; later writes are refused. */
  close(): Promise<void>;
}

/**
 * A {@link LogWriter} on `path`. Rotation happens before a line that would be written
 * into a file of `maxSize` bytes or more: `path.(n-1)` → `path.n` … `path` → `path.1`,
 * the oldest beyond `maxFiles` deleted; with `maxFiles` 1 the file is emptied instead.
 */
export function createLogWriter(path: string, options: LogWriterOptions = {}): LogWriter {
  const clock = options.clock ?? systemClock;
  const maxFiles = options.maxFiles ?? 1;
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024;
  if (maxFiles < 1) throw new InvalidArgumentError(`max-file must be at least 1, not ${maxFiles}`);
  if (options.maxSize !== undefined && options.maxSize <= 0) {
    throw new InvalidArgumentError(`max-size must be positive, not ${options.maxSize}`);
  }
  const held = new Map<LogStream, Buffer>();
  let queue: Promise<void> = Promise.resolve();
  let failure: unknown;
  let size: number | undefined;
  let closed = false;

  const rotate = async () => {
    if (maxFiles === 1) {
      await truncate(path, 0).catch(() => undefined);
    } else {
      await rm(rotatedLogPath(path, maxFiles - 1), { force: true });
      for (let index = maxFiles - 2; index >= 0; index--) {
        await rename(rotatedLogPath(path, index), rotatedLogPath(path, index + 1)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
    }
    size = 0;
  };

  const append = (lines: Buffer[]) => {
    queue = queue.then(async () => {
      if (failure) return;
      try {
        size ??= await stat(path).then((s) => s.size, () => 0);
        for (const line of lines) {
          if (options.maxSize !== undefined && size > 0 && size >= options.maxSize) await rotate();
          await appendFile(path, line);
          size += line.length;
        }
      } catch (err) {
        failure = err;
      }
    });
  };

  const lineOf = (stream: LogStream, content: Buffer, partial: boolean) =>
    formatLogLine({ timeNs: dateToNs(clock.now()), stream, partial, content });

  return {
    write(stream, data) {
      if (closed) throw new InvalidArgumentError(`log ${path} is closed`);
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      let pending = held.has(stream) ? Buffer.concat([held.get(stream)!, chunk]) : chunk;
      const lines: Buffer[] = [];
      for (let nl = pending.indexOf(0x0a); nl >= 0; nl = pending.indexOf(0x0a)) {
        let line = pending.subarray(0, nl);
        while (line.length > maxLineBytes) {
          lines.push(lineOf(stream, line.subarray(0, maxLineBytes), true));
          line = line.subarray(maxLineBytes);
        }
        lines.push(lineOf(stream, line, false));
        pending = pending.subarray(nl + 1);
      }
      while (pending.length > maxLineBytes) {
        lines.push(lineOf(stream, pending.subarray(0, maxLineBytes), true));
        pending = pending.subarray(maxLineBytes);
      }
      if (pending.length > 0) held.set(stream, Buffer.from(pending));
      else held.delete(stream);
      if (lines.length > 0) append(lines);
    },
    endStreams() {
      const lines = [...held].map(([stream, rest]) => lineOf(stream, rest, true));
      held.clear();
      if (lines.length > 0) append(lines);
    },
    async flush() {
      await queue;
      if (failure) throw failure;
    },
    async close() {
      if (!closed) this.endStreams();
      closed = true;
      await this.flush();
    },
  };
}
