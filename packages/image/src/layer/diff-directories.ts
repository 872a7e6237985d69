import type { Readable } from 'node:stream';
import { withSignal } from './decompress.js';
import { LayerEntries } from './internal/layer-entries.js';
import { tarStream, type TarWriteEntry } from './internal/tar-writer.js';
import { compareTrees } from './internal/tree-diff.js';
import { type XattrIndex, fileInfo, readXattrs, treeRoot } from './internal/tree-scan.js';

/** Options of the layer differs. */
export interface DiffOptions {
  signal?: AbortSignal;
}

async function* diffEntries(lower: string | undefined, upper: string, signal?: AbortSignal): AsyncGenerator<TarWriteEntry> {
  const upperRoot = await treeRoot(upper, 'upper');
  const lowerRoot = lower === undefined ? undefined : await treeRoot(lower, 'lower');
  const [lowerXattrs, upperXattrs] = await Promise.all([
    lowerRoot === undefined ? Promise.resolve<XattrIndex>(new Map()) : readXattrs(lowerRoot, signal),
    readXattrs(upperRoot, signal),
  ]);
  const { changes, rootOpaque } = compareTrees(lowerRoot, upperRoot, lowerXattrs, upperXattrs);
  const entries = new LayerEntries(upperRoot, upperXattrs);
  if (rootOpaque) yield LayerEntries.opaque('', fileInfo(upperRoot)!);
  const opaqueDirectories = new Set<string>(rootOpaque ? [''] : []);
  for (const change of changes) {
    if (change.kind === 'D') {
      const slash = change.path.lastIndexOf('/');
      // Deletions under an opaque directory are already encoded by its marker.
      if (!opaqueDirectories.has(slash === -1 ? '' : change.path.slice(0, slash))) yield LayerEntries.whiteout(change.path);
      continue;
    }
    yield entries.entry(change.path, change.info!);
    if (change.opaque) {
      opaqueDirectories.add(change.path);
      yield LayerEntries.opaque(change.path, change.info!);
    }
  }
}

/**
 * The changes from directory `lower` to directory `upper` as an uncompressed OCI layer
 * tar (the copying snapshotter's differ): added and changed paths as full members
 * (directories whose contents changed included, for their metadata), deleted paths as
 * `.wh.<name>` whiteouts, and a directory that lost all its lower children as one
 * `.wh..wh..opq` marker. Types, modes, owners, mtimes (whole seconds), symlinks,
 * device numbers, xattrs (read with `getfattr`, overlayfs ones left out) and hardlinks
 * (same inode → hardlink members) are kept. Members come in a fixed order — parents
 * first, names sorted — so equal trees give byte-identical tars.
 *
 * The tree is examined when reading starts; errors (a missing directory, a file that
 * changes while read) surface on the stream. Without `lower` every file is added.
 */
export function diffDirectories(lower: string | undefined, upper: string, options: DiffOptions = {}): Readable {
  return withSignal(tarStream(() => diffEntries(lower, upper, options.signal), options.signal), options.signal);
}

/** The whole tree under `dir` as an uncompressed tar (`export`, rootfs layers): a diff against nothing. */
export function tarDirectory(dir: string, options: DiffOptions = {}): Readable {
  return diffDirectories(undefined, dir, options);
}
