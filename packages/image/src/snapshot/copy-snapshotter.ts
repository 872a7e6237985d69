import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { copyTree } from './copy-tree.js';
import { type SnapshotLayout, openDirectorySnapshotter } from './directory-snapshotter.js';
import type { Snapshotter } from './snapshotter.js';

/** Options of {@link createCopySnapshotter}. */
export interface CopySnapshotterOptions {
  /** Directory holding the snapshotter's metadata and trees; created if missing. */
  root: string;
}

const copyLayout: SnapshotLayout = {
  whiteoutFormat: 'oci',
  async create(directory, kind, ancestors) {
    const fs = join(directory, 'fs');
    const parent = ancestors[0];
    // A view reads its parent's tree in place, so only active snapshots need their own copy.
    if (kind === 'active' && parent !== undefined) await copyTree(join(parent, 'fs'), fs);
    else await mkdir(fs, { mode: 0o755 });
  },
  mounts(directory, kind, ancestors) {
    if (kind === 'active') return [{ type: 'bind', source: join(directory, 'fs'), options: ['rbind', 'rw'] }];
    return [{ type: 'bind', source: join(ancestors[0] ?? directory, 'fs'), options: ['rbind', 'ro'] }];
  },
};

/**
 * A snapshotter that needs neither root nor overlayfs (tests, file systems overlay cannot
 * stack on): every active snapshot is a full copy of its parent's tree (`cp -a`: modes,
 * owners, links, times and xattrs kept as far as the caller may), so layers apply with
 * OCI whiteouts by deleting in place, and every mount is a bind mount — readable without
 * mounting through `mountsToDirectory`. A view is a read-only bind of its parent.
 * Costs the disk and time of one copy per active snapshot; usage counts the whole tree.
 * Same on-disk layout and metadata as the overlay snapshotter.
 */
export function createCopySnapshotter(options: CopySnapshotterOptions): Promise<Snapshotter> {
  return openDirectorySnapshotter(options.root, copyLayout);
}
