import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/clock/manual-clock.js';
import { formatLogLine } from '../../src/logs/log-line.js';
import { logFiles } from '../../src/logs/log-files.js';
import { createLogWriter } from '../../src/logs/log-writer.js';
import { formatLogEntry, type LogEntry, readLogs, type ReadLogsOptions } from '../../src/logs/read-logs.js';

let dir: { path: string; remove: () => Promise<void> };
let log: string;

beforeEach(async () => {
  dir = await makeTempDir('berth-logs');
  log = join(dir.path, 'ctr.log');
});
afterEach(async () => {
  await dir.remove();
});

const t = (second: number) => 1704067200000000000n + BigInt(second) * 1_000_000_000n;

function line(second: number, stream: 'stdout' | 'stderr', content: string, partial = false): Buffer {
  return formatLogLine({ timeNs: t(second), stream, partial, content });
}

async function collect(options: ReadLogsOptions = {}, path = log): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of readLogs(path, options)) out.push(`${entry.stream}:${entry.message.toString()}${entry.partial ? '…' : ''}`);
  return out;
}

describe('readLogs', () => {
  it('reads nothing from a missing log', async () => {
    expect(await collect()).toEqual([]);
  });

  it('reads messages oldest first, joining partial lines per stream', async () => {
    await writeFile(
      log,
      Buffer.concat([
        line(1, 'stdout', 'hel', true),
        line(1, 'stderr', 'oops'),
        line(2, 'stdout', 'lo'),
        line(3, 'stdout', ''),
        Buffer.from('not a log line\n'),
        line(4, 'stderr', 'tail without newline', true),
      ]),
    );
    expect(await collect()).toEqual(['stderr:oops', 'stdout:hello', 'stdout:', 'stderr:tail without newline…']);
  });

  it('ignores a trailing line still being written', async () => {
    await writeFile(log, Buffer.concat([line(1, 'stdout', 'done'), Buffer.from('2024-01-01T00:00:09Z stdout F half')]));
    expect(await collect()).toEqual(['stdout:done']);
  });

  it('selects streams and time ranges', async () => {
    await writeFile(log, Buffer.concat([1, 2, 3, 4, 5].map((s) => line(s, s % 2 ? 'stdout' : 'stderr', `m${s}`))));
    expect(await collect({ stderr: false })).toEqual(['stdout:m1', 'stdout:m3', 'stdout:m5']);
    expect(await collect({ stdout: false })).toEqual(['stderr:m2', 'stderr:m4']);
    expect(await collect({ since: t(2), until: t(4) })).toEqual(['stderr:m2', 'stdout:m3', 'stderr:m4']);
    expect(await collect({ since: new Date(Number(t(4) / 1_000_000n)) })).toEqual(['stderr:m4', 'stdout:m5']);
  });

  it('tails the last N messages that pass the filters', async () => {
    await writeFile(
      log,
      Buffer.concat([line(1, 'stdout', 'a'), line(2, 'stderr', 'b'), line(3, 'stdout', 'c', true), line(3, 'stdout', 'd'), line(4, 'stderr', 'e')]),
    );
    expect(await collect({ tail: 2 })).toEqual(['stdout:cd', 'stderr:e']);
    expect(await collect({ tail: 2, stderr: false })).toEqual(['stdout:a', 'stdout:cd']);
    expect(await collect({ tail: 0 })).toEqual([]);
    expect(await collect({ tail: 100 })).toEqual(['stdout:a', 'stderr:b', 'stdout:cd', 'stderr:e']);
    expect(await collect({ tail: -1 })).toHaveLength(4);
  });

  it('tails across chunk boundaries and rotated files without reading everything', async () => {
    // Three files of ~200 KiB each: several backward chunks per file.
    const filler = 'x'.repeat(200);
    let n = 0;
    for (const path of [`${log}.2`, `${log}.1`, log]) {
      const lines: Buffer[] = [];
      for (let i = 0; i < 1000; i++, n++) lines.push(line(n, 'stdout', `${n} ${filler}`));
      await writeFile(path, Buffer.concat(lines));
    }
    expect(await logFiles(log)).toEqual([`${log}.2`, `${log}.1`, log]);
    const last = await collect({ tail: 3 });
    expect(last.map((l) => l.split(' ')[0])).toEqual(['stdout:2997', 'stdout:2998', 'stdout:2999']);
    const acrossFiles = await collect({ tail: 1500 });
    expect(acrossFiles).toHaveLength(1500);
    expect(acrossFiles[0]!.split(' ')[0]).toBe('stdout:1500');
    expect(await collect()).toHaveLength(3000);
  });

  it('formats entries like docker logs', () => {
    const entry: LogEntry = {
      stream: 'stdout',
      timestamp: '',
      timeNs: t(0) + 500_000_000n,
      time: new Date(0),
      message: Buffer.from('hi'),
      partial: false,
    };
    expect(formatLogEntry(entry).toString()).toBe('hi\n');
    expect(formatLogEntry(entry, { timestamps: true }).toString()).toBe('2024-01-01T00:00:00.5Z hi\n');
    expect(formatLogEntry({ ...entry, partial: true }).toString()).toBe('hi');
  });
});

describe('following', () => {
  it('returns new lines as they are written, across rotation, until told to stop', async () => {
    await writeFile(log, line(1, 'stdout', 'before'));
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const iterator = readLogs(log, { follow: true, followUntil: stopped, pollIntervalMs: 20 })[Symbol.asyncIterator]();
    const next = async () => {
      const result = await iterator.next();
      return result.done ? 'done' : result.value.message.toString();
    };
    expect(await next()).toBe('before');
    await appendFile(log, line(2, 'stdout', 'appended'));
    expect(await next()).toBe('appended');
    // Rotation: a last line lands in the old file just before the rename.
    await appendFile(log, line(3, 'stderr', 'last in old file'));
    await rename(log, `${log}.1`);
    await writeFile(log, line(4, 'stdout', 'first in new file'));
    expect(await next()).toBe('last in old file');
    expect(await next()).toBe('first in new file');
    await appendFile(log, line(5, 'stdout', 'written before stop'));
    stop();
    expect(await next()).toBe('written before stop');
    expect(await next()).toBe('done');
  });

  it('waits for a log that does not exist yet, and stops on abort', async () => {
    const controller = new AbortController();
    const iterator = readLogs(log, { follow: true, signal: controller.signal, pollIntervalMs: 20 })[Symbol.asyncIterator]();
    const first = iterator.next();
    await writeFile(log, line(1, 'stdout', 'hello'));
    expect((await first).value?.message.toString()).toBe('hello');
    const pending = iterator.next();
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
  });

  it('tail then follow starts at the end', async () => {
    await writeFile(log, Buffer.concat([line(1, 'stdout', 'old1'), line(2, 'stdout', 'old2')]));
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const iterator = readLogs(log, { follow: true, tail: 1, followUntil: stopped, pollIntervalMs: 20 })[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.message.toString()).toBe('old2');
    await appendFile(log, line(3, 'stdout', 'new'));
    expect((await iterator.next()).value?.message.toString()).toBe('new');
    stop();
    expect((await iterator.next()).done).toBe(true);
  });
});

describe('createLogWriter', () => {
  it('writes full and partial lines with clock timestamps', async () => {
    const clock = createManualClock(new Date('2024-01-01T00:00:00Z'));
    const writer = createLogWriter(log, { clock, maxLineBytes: 4 });
    writer.write('stdout', 'ab');
    writer.write('stdout', 'c\nlonger line\n');
    writer.write('stderr', 'no newline');
    await clock.advance(1500);
    writer.write('stdout', 'x\n');
    await writer.close();
    expect((await readFile(log, 'utf8')).split('\n')).toEqual([
      '2024-01-01T00:00:00.000000000Z stdout F abc',
      '2024-01-01T00:00:00.000000000Z stdout P long',
      '2024-01-01T00:00:00.000000000Z stdout P er l',
      '2024-01-01T00:00:00.000000000Z stdout F ine',
      '2024-01-01T00:00:00.000000000Z stderr P no n',
      '2024-01-01T00:00:00.000000000Z stderr P ewli',
      '2024-01-01T00:00:01.500000000Z stdout F x',
      '2024-01-01T00:00:01.500000000Z stderr P ne',
      '',
    ]);
    expect(await collect()).toEqual(['stdout:abc', 'stdout:longer line', 'stdout:x', 'stderr:no newline…']);
    expect(() => writer.write('stdout', 'late')).toThrow(/closed/);
  });

  it('rotates by size keeping max-file files, readable as one log', async () => {
    const writer = createLogWriter(log, { maxSize: 200, maxFiles: 3 });
    for (let i = 0; i < 30; i++) writer.write('stdout', `line ${i}\n`);
    await writer.close();
    const files = await logFiles(log);
    expect(files).toEqual([`${log}.2`, `${log}.1`, log]);
    const lines = await collect();
    expect(lines.at(-1)).toBe('stdout:line 29');
    // Older lines were dropped with the oldest file; the rest is contiguous.
    const numbers = lines.map((l) => Number(l.split(' ')[1]));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    expect(numbers[0]).toBeGreaterThan(0);
  });

  it('with max-file 1 truncates instead of rotating', async () => {
    const writer = createLogWriter(log, { maxSize: 100, maxFiles: 1 });
    for (let i = 0; i < 10; i++) writer.write('stdout', `line ${i}\n`);
    await writer.close();
    expect(await logFiles(log)).toEqual([log]);
    const lines = await collect();
    expect(lines.at(-1)).toBe('stdout:line 9');
    expect(lines.length).toBeLessThan(10);
  });

  it('refuses bad rotation settings', () => {
    expect(() => createLogWriter(log, { maxFiles: 0 })).toThrow(/max-file/);
    expect(() => createLogWriter(log, { maxSize: 0 })).toThrow(/max-size/);
  });
});
