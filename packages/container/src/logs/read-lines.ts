import { watch, type FSWatcher } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** Bytes read per call; lines longer than this are assembled across reads. */
const chunkSize = 64 * 1024;

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Splits chunks into lines (without `\n`); the incomplete rest stays in `carry`. */
class LineSplitter {
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
      lines.push(data.subarray(start, nl));
      start = nl + 1;
    }
    this.carry = Buffer.from(data.subarray(start));
    return lines;
  }

  reset(): void {
    this.carry = Buffer.alloc(0);
  }
}

/** Reads complete lines of the file from `offset` to its current end, streaming. */
export async function* readCompleteLines(path: string, offset: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  try {
    const splitter = new LineSplitter();
    const buffer = Buffer.alloc(chunkSize);
    let position = offset;
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield* splitter.push(Buffer.from(buffer.subarray(0, bytesRead)));
    }
  } finally {
    await handle.close();
  }
}

/** How a follow ends. */
export interface FollowControl {
  /** Once this settles, what is in the file is read and the follow ends. */
  until?: PromiseLike<unknown>;
  signal?: AbortSignal;
  /** How often to look for new lines when no file event arrives (default 100 ms). */
  pollIntervalMs?: number;
}

/** Wakes a follower when the directory of its file changes, when polled, or when stopped. */
class Waker {
  private wake: (() => void) | undefined;
  private readonly watcher: FSWatcher | undefined;

  constructor(path: string) {
    try {
      const name = basename(path);
      this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (!file || String(file).startsWith(name)) this.fire();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = undefined;
    }
  }

  fire(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.fire(), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  close(): void {
    this.watcher?.close();
    this.fire();
  }
}

/**
 * Reads lines of the live log file at `path` from `offset`, then keeps reading as lines
 * are appended — across rotation (the file renamed to `.1` and a new one created: the
 * rest of the old one is read, then the new one from its start) and truncation (read
 * again from the start). Waits for the file to appear if it does not exist yet. Ends
 * when `control.until` settles (after reading what is there) and throws the abort
 * reason when `control.signal` aborts. Only complete lines are returned.
 */
export async function* followLines(path: string, offset: number, control: FollowControl = {}): AsyncGenerator<Buffer> {
  const { signal } = control;
  const pollMs = control.pollIntervalMs ?? 100;
  let stopping = false;
  const waker = new Waker(path);
  const onAbort = () => waker.fire();
  signal?.addEventListener('abort', onAbort);
  control.until?.then(
    () => {
      stopping = true;
      waker.fire();
    },
    () => {
      stopping = true;
      waker.fire();
    },
  );
  let handle: FileHandle | undefined;
  try {
    const splitter = new LineSplitter();
    const buffer = Buffer.alloc(chunkSize);
    let position = offset;
    let inode: number | undefined;
    for (;;) {
      signal?.throwIfAborted();
      const finalRound = stopping;
      if (!handle) {
        try {
          handle = await open(path, 'r');
          inode = (await handle.stat()).ino;
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }
      if (handle) {
        const drain = async function* (this: void, from: FileHandle): AsyncGenerator<Buffer> {
          for (;;) {
            const { bytesRead } = await from.read(buffer, 0, chunkSize, position);
            if (bytesRead === 0) return;
            position += bytesRead;
            for (const line of splitter.push(Buffer.from(buffer.subarray(0, bytesRead)))) {
              signal?.throwIfAborted();
              yield line;
            }
          }
        };
        yield* drain(handle);
        // Rotated (a new file at the path) or removed: finish this one, then move on.
        let current: Awaited<ReturnType<typeof stat>> | undefined;
        try {
          current = await stat(path);
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
        if (!current || current.ino !== inode) {
          // Lines written between the last read and the rename are still in the old file.
          yield* drain(handle);
          await handle.close();
          handle = undefined;
          position = 0;
          splitter.reset();
          if (current) continue;
        } else if (current.size < position) {
          // Truncated in place (conmon's log-size-max): start over.
          position = 0;
          splitter.reset();
          continue;
        }
      }
      if (finalRound) return;
      await waker.wait(pollMs);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    waker.close();
    await handle?.close();
  }
}
