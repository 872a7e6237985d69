import { describe, expect, it } from 'vitest';
import { formatDockerTimestamp, formatLogLine, formatTimestamp, parseLogLine, parseTimestamp } from '../../src/logs/log-line.js';

describe('timestamps', () => {
  it('parses RFC3339Nano in UTC and with offsets, to the nanosecond', () => {
    expect(parseTimestamp('2024-01-01T00:00:00.000000001Z')).toBe(1704067200000000001n);
    expect(parseTimestamp('2024-01-01T01:00:00.5+01:00')).toBe(1704067200500000000n);
    expect(parseTimestamp('2023-12-31T22:30:00-01:30')).toBe(1704067200000000000n);
    expect(() => parseTimestamp('yesterday')).toThrow(/invalid log timestamp/);
  });

  it('formats fixed-width and docker-style', () => {
    expect(formatTimestamp(1704067200120000000n)).toBe('2024-01-01T00:00:00.120000000Z');
    expect(formatDockerTimestamp(1704067200120000000n)).toBe('2024-01-01T00:00:00.12Z');
    expect(formatDockerTimestamp(1704067200000000000n)).toBe('2024-01-01T00:00:00Z');
    expect(formatDockerTimestamp(1704067200000000007n)).toBe('2024-01-01T00:00:00.000000007Z');
  });
});

describe('k8s-file lines', () => {
  it('parse full, partial and empty lines', () => {
    expect(parseLogLine(Buffer.from('2024-01-01T00:00:00.000000001Z stdout F hello world'))).toEqual({
      timestamp: '2024-01-01T00:00:00.000000001Z',
      timeNs: 1704067200000000001n,
      stream: 'stdout',
      partial: false,
      content: Buffer.from('hello world'),
    });
    expect(parseLogLine(Buffer.from('2024-01-01T00:00:00Z stderr P part'))).toMatchObject({ stream: 'stderr', partial: true });
    expect(parseLogLine(Buffer.from('2024-01-01T00:00:00Z stdout F'))?.content).toEqual(Buffer.alloc(0));
    expect(parseLogLine(Buffer.from('2024-01-01T00:00:00Z stdout F '))?.content).toEqual(Buffer.alloc(0));
  });

  it('skip lines that are not in the format', () => {
    for (const bad of ['', 'garbage', 'x stdout F a', '2024-01-01T00:00:00Z stdin F a', '2024-01-01T00:00:00Z stdout X a']) {
      expect(parseLogLine(Buffer.from(bad))).toBeUndefined();
    }
  });

  it('round-trips', () => {
    const line = formatLogLine({ timeNs: 1704067200000000000n, stream: 'stderr', partial: false, content: 'x y' });
    expect(line.toString()).toBe('2024-01-01T00:00:00.000000000Z stderr F x y\n');
    expect(parseLogLine(line.subarray(0, -1))?.content.toString()).toBe('x y');
  });
});
