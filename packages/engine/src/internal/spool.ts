import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Copies a one-shot stream into a file under `directory` (readers that need random access,
 * like the docker archive reader, get a path), runs `use` on it, and removes it afterwards.
 */
export async function withSpooledFile<T>(
  directory: string,
  source: Readable,
  use: (path: string) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, `spool-${randomBytes(8).toString('hex')}`);
  try {
    await pipeline(source, createWriteStream(path, { mode: 0o600 }), signal ? { signal } : {});
    return await use(path);
  } finally {
    await rm(path, { force: true });
  }
}
