import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Mount, Snapshotter } from '../snapshot/snapshotter.js';
import { tarDirectory } from '../layer/diff-directories.js';
import { withMounts } from '../snapshot/mount.js';

/** Options of {@link exportSnapshot}. */
export interface ExportSnapshotOptions {
  signal?: AbortSignal;
}

/** The directory a single bind mount points at (the copying snapshotter), readable without mounting. */
function bindSource(mounts: Mount[]): string | undefined {
  const [only] = mounts;
  return mounts.length === 1 && only?.type === 'bind' ? only.source : undefined;
}

/**
 * The whole file system of a snapshot as an uncompressed tar — `docker export` of a
 * container's root filesystem. `key` may be an active snapshot or view (a container's
 * rootfs) or a committed one (a temporary view of it is made, and removed afterwards).
 * Overlay snapshots are mounted on a temporary directory for as long as the stream is
 * read (needs root) and unmounted when it ends, fails or is destroyed; bind mounts are
 * read in place. The stream ends only once that cleanup is done. `NotFound` for an
 * unknown key; later errors surface on the stream.
 */
export async function exportSnapshot(snapshotter: Snapshotter, key: string, options: ExportSnapshotOptions = {}): Promise<Readable> {
  const info = await snapshotter.stat(key);
  let viewKey: string | undefined;
  let mounts: Mount[];
  if (info.kind === 'committed') {
    viewKey = `export-${randomBytes(6).toString('hex')}`;
    mounts = await snapshotter.view(viewKey, key);
  } else {
    mounts = await snapshotter.mounts(key);
  }
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  // `out` ends only after unmounting and removing the view, so a reader that saw the end
  // can rely on the cleanup being done.
  const send = (dir: string) => pipeline(tarDirectory(dir, { signal: options.signal }), out, { end: false });
  void (async () => {
    try {
      const direct = bindSource(mounts);
      if (direct) await send(direct);
      else await withMounts(mounts, send, { signal: options.signal });
    } finally {
      if (viewKey) await snapshotter.remove(viewKey);
    }
    out.end();
  })().catch((err: unknown) => {
    if (!out.destroyed) out.destroy(err as Error);
  });
  return out;
}
