import { writeFile } from 'node:fs/promises';
import { type LogStream, dateToNs, formatLogLine } from '../logs/log-line.js';

/** One line of a log written by {@link writeLogFile}. */
export interface LogFileLine {
  stream?: LogStream;
  text: string;
  /** Default: 2024-01-01T00:00:00Z plus one second per line. */
  time?: Date;
  partial?: boolean;
}

/** Writes a k8s-file log (as conmon would) with `lines`, for testing log readers and their callers. */
export async function writeLogFile(path: string, lines: readonly LogFileLine[]): Promise<void> {
  const start = Date.parse('2024-01-01T00:00:00Z');
  const content = lines.map((line, index) =>
    formatLogLine({
      timeNs: dateToNs(line.time ?? new Date(start + index * 1000)),
      stream: line.stream ?? 'stdout',
      partial: line.partial ?? false,
      content: line.text,
    }),
  );
  await writeFile(path, Buffer.concat(content));
}
