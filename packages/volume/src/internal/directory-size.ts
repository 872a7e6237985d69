import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes under `root` as Docker counts a volume's size: the apparent sizes of every
 * non-directory entry, each inode once (hard links are not counted twice). Never follows
 * symlinks. Entries that vanish during the walk are skipped.
 */
export async function directorySize(root: string, signal?: AbortSignal): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    signal?.throwIfAborted();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names) {
      const path = join(dir, name);
      let stats;
      try {
        stats = await lstat(path, { bigint: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      if (stats.isDirectory()) {
        await walk(path);
        continue;
      }
      const inode = `${stats.dev}:${stats.ino}`;
      if (seen.has(inode)) continue;
      seen.add(inode);
      total += Number(stats.size);
    }
  };
  await walk(root);
  return total;
}
