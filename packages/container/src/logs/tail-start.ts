import { type FileHandle, open } from 'node:fs/promises';
import { type LogLine, parseLogLine } from './log-line.js';

/** Bytes read per step when scanning a log backwards. */
const chunkSize = 64 * 1024;

/** Where forward reading starts: a file of the list, and a byte offset in it. */
export interface LogPosition {
  fileIndex: number;
  offset: number;
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Calls `visit` with each complete line of the file, last line first, and its end
 * offset (just after its newline); stops when `visit` returns `true`. Reads backwards
 * in chunks: memory stays one chunk plus one line, whatever the file size. A trailing
 * line without its newline (a write in progress) is skipped.
 */
async function scanBackwards(handle: FileHandle, visit: (line: Buffer, endOffset: number) => boolean): Promise<boolean> {
  const size = (await handle.stat()).size;
  let position = size;
  // Bytes of the line that starts before `position`: the tail end of a line read so far.
  let carry = Buffer.alloc(0);
  // Offset just after the newline ending the line being assembled (-1: the trailing partial one).
  let lineEnd = -1;
  while (position > 0) {
    const start = Math.max(0, position - chunkSize);
    const chunk = Buffer.alloc(position - start);
    await handle.read(chunk, 0, chunk.length, start);
    const data = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
    let end = data.length;
    for (let i = data.length - 1; i >= 0; i--) {
      if (data[i] !== 0x0a) continue;
      if (lineEnd >= 0 && visit(data.subarray(i + 1, end), lineEnd)) return true;
      lineEnd = start + i + 1;
      end = i;
    }
    carry = Buffer.from(data.subarray(0, end));
    position = start;
  }
  return lineEnd >= 0 && visit(carry, lineEnd);
}

/**
 * Where to start reading so that exactly the last `count` messages `accept`ed are read:
 * just after the newline of the (count+1)-th accepted full (`F`) line from the end,
 * scanning the files newest first. Lines of other streams or times between are read
 * too and filtered by the caller. With fewer messages, the start of the oldest file.
 * `files` are oldest first, as `logFiles` lists them.
 */
export async function tailStart(files: readonly string[], count: number, accept: (line: LogLine) => boolean): Promise<LogPosition> {
  if (count === 0) return endOfNewest(files);
  let seen = 0;
  for (let fileIndex = files.length - 1; fileIndex >= 0; fileIndex--) {
    const handle = await openIfExists(files[fileIndex]!);
    if (!handle) continue;
    let found: LogPosition | undefined;
    try {
      await scanBackwards(handle, (raw, endOffset) => {
        const line = parseLogLine(raw);
        if (!line || line.partial || !accept(line)) return false;
        seen++;
        if (seen <= count) return false;
        found = { fileIndex, offset: endOffset };
        return true;
      });
    } finally {
      await handle.close();
    }
    if (found) return found;
  }
  return { fileIndex: 0, offset: 0 };
}

/** The end of the newest file, before any line still being written: nothing old is read. */
async function endOfNewest(files: readonly string[]): Promise<LogPosition> {
  const fileIndex = files.length - 1;
  const handle = await openIfExists(files[fileIndex]!);
  if (!handle) return { fileIndex, offset: 0 };
  try {
    let offset = 0;
    await scanBackwards(handle, (_line, endOffset) => {
      offset = endOffset;
      return true;
    });
    return { fileIndex, offset };
  } finally {
    await handle.close();
  }
}
