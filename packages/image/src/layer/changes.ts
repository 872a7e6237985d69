import type { DiffOptions } from './diff-directories.js';
import { type ChangeKind, compareTrees } from './internal/tree-diff.js';
import { type XattrIndex, readXattrs, treeRoot } from './internal/tree-scan.js';

export type { ChangeKind } from './internal/tree-diff.js';

/** One line of `docker diff`: a path inside the container and what happened to it. */
export interface FileChange {
  /** Absolute path in the container's file system, e.g. `/etc/passwd`. */
  path: string;
  kind: ChangeKind;
}

/**
 * What changed from directory `lower` to directory `upper`, like `docker diff`: added
 * paths (each one, also inside added directories), deleted paths (only the top of a
 * deleted directory), and changed paths — including every directory something changed
 * under. Sorted by path. Compares as {@link diffDirectories} does.
 */
export async function changes(lower: string | undefined, upper: string, options: DiffOptions = {}): Promise<FileChange[]> {
  const upperRoot = await treeRoot(upper, 'upper');
  const lowerRoot = lower === undefined ? undefined : await treeRoot(lower, 'lower');
  const [lowerXattrs, upperXattrs] = await Promise.all([
    lowerRoot === undefined ? Promise.resolve<XattrIndex>(new Map()) : readXattrs(lowerRoot, options.signal),
    readXattrs(upperRoot, options.signal),
  ]);
  return compareTrees(lowerRoot, upperRoot, lowerXattrs, upperXattrs)
    .changes.map((change) => ({ path: `/${change.path}`, kind: change.kind }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
