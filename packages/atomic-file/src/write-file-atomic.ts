import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Suffix of the temporary siblings `.<name>.<random>.tmp` that {@link writeFileAtomic}
 * writes before renaming them over the target; one still there after a crash is garbage
 * ({@link removeStaleTempFiles}).
 */
export const ATOMIC_TEMP_SUFFIX = '.tmp';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Permission bits of the new file (before the umask); default `0o600`. */
  mode?: number;
  /**
   * fsync the directory after the rename (default `true`), so the rename itself survives
   * a power cut. `false` suits replacing a file whose name is already durable: after a
   * crash the directory names the old content or the new one — each whole, each fsynced —
   * and the rename becomes durable with the file system's next commit. Saves one fsync.
   */
  syncDirectory?: boolean;
}

function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/**
 * Replaces `path` with `data` so that readers — and a machine that crashes at any moment —
 * see either the old file or the new one, never a mix: write a temporary sibling (created
 * exclusively), fsync it, rename it over `path`, fsync the directory so the rename itself
 * is durable. `await` means durable (unless `syncDirectory: false`). On any failure the temporary file is removed and
 * the old content (if any) is left untouched. The directory must exist.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const directory = dirname(path);
  const temp = join(directory, `${tempPrefix(path)}${randomBytes(6).toString('hex')}${ATOMIC_TEMP_SUFFIX}`);
  const file = await open(temp, 'wx', options.mode ?? 0o600);
  try {
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  if (options.syncDirectory !== false) await syncDirectory(directory);
}

/**
 * fsync of a directory: makes a rename into it, or a creation or removal of one of its
 * entries, survive a power cut.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes the temporary files that {@link writeFileAtomic} calls for `path` left behind
 * when the process died between creating and renaming them. Call it when opening the
 * store that owns `path`, before anyone writes it (a concurrent writer's temp would go too).
 */
export async function removeStaleTempFiles(path: string): Promise<void> {
  const directory = dirname(path);
  const prefix = tempPrefix(path);
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) {
    if (entry.startsWith(prefix) && entry.endsWith(ATOMIC_TEMP_SUFFIX)) await rm(join(directory, entry), { force: true });
  }
}
