import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const tempSuffix = '.tmp';

/**
 * Replaces `path` with `bytes` so that a crash at any point leaves either the old or the
 * new content under `path`, never a mix: write a temporary file next to it, fsync it,
 * rename it over `path`, fsync the directory (so the rename itself is durable).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}${tempSuffix}`);
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(bytes);
    await file.sync();
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Removes temporary files {@link writeFileAtomic} left behind for `path` by a crash. */
export async function removeStaleTempFiles(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  for (const entry of await readdir(dirname(path))) {
    if (entry.startsWith(prefix) && entry.endsWith(tempSuffix)) await rm(join(dirname(path), entry), { force: true });
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
