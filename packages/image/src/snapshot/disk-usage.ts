import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnapshotUsage } from './snapshotter.js';

/**
 * Disk usage of the tree at `root`, the root directory included: `size` is the bytes of
 * blocks allocated (`st_blocks × 512`, what `du` reports, so sparse files count what they
 * occupy) and `inodes` the distinct inodes. A file reached through several hard links
 * counts once. Symbolic links are not followed.
 */
export async function diskUsage(root: string): Promise<SnapshotUsage> {
  const seen = new Set<string>();
  let size = 0;
  const visit = async (path: string): Promise<void> => {
    const stats = await lstat(path, { bigint: true });
    const identity = `${stats.dev}:${stats.ino}`;
    if (!seen.has(identity)) {
      seen.add(identity);
      size += Number(stats.blocks) * 512;
    }
    if (!stats.isDirectory()) return;
    // Depth first and one directory at a time: bounded open handles on deep, wide trees.
    for (const entry of await readdir(path)) await visit(join(path, entry));
  };
  await visit(root);
  return { size, inodes: seen.size };
}
