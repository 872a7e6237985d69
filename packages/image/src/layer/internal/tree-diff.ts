import {
  type FileInfo,
  type XattrIndex,
  fileInfo,
  linkTarget,
  sameContent,
  sameXattrs,
  sortedNames,
} from './tree-scan.js';

/** `A`dded, `C`hanged or `D`eleted — the letters of `docker diff`. */
export type ChangeKind = 'A' | 'C' | 'D';

/** One difference between a lower and an upper tree. */
export interface TreeChange {
  /** Relative path. */
  path: string;
  kind: ChangeKind;
  /** The upper file (added and changed paths). */
  info?: FileInfo;
  /** A directory none of whose lower children survive: one opaque marker encodes their deletions. */
  opaque?: boolean;
}

/** The differences, in walk order: parents before children, names sorted within a directory. */
export interface TreeChanges {
  changes: TreeChange[];
  /** The root itself lost all its lower children. */
  rootOpaque: boolean;
}

/**
 * Compares two trees the way docker's naive differ does (`ChangesDirs`): a path is
 * added, deleted, or changed when its type, mode, owner, xattrs, device number, size,
 * mtime or symlink target differ; a directory is changed when its own metadata (not
 * its mtime) differs or anything below it changed, so the diff carries its metadata.
 * Files whose mtimes both have no sub-second part may have been truncated by a tar
 * round trip, so equal-looking ones are compared byte by byte (as containerd does).
 */
export function compareTrees(
  lower: string | undefined,
  upper: string,
  lowerXattrs: XattrIndex,
  upperXattrs: XattrIndex,
): TreeChanges {
  const changes: TreeChange[] = [];

  const abs = (root: string, path: string): string => (path === '' ? root : `${root}/${path}`);
  const child = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

  const addAll = (dir: string): void => {
    for (const name of sortedNames(abs(upper, dir))) {
      const path = child(dir, name);
      const info = fileInfo(abs(upper, path));
      if (info === undefined || info.kind === 'socket') continue;
      changes.push({ path, kind: 'A', info });
      if (info.kind === 'directory') addAll(path);
    }
  };

  const metadataDiffers = (path: string, a: FileInfo, b: FileInfo): boolean =>
    a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || !sameXattrs(lowerXattrs.get(path), upperXattrs.get(path));

  const fileDiffers = (path: string, a: FileInfo, b: FileInfo): boolean => {
    if (a.kind !== b.kind || metadataDiffers(path, a, b)) return true;
    switch (b.kind) {
      case 'symlink':
        return linkTarget(abs(lower!, path)) !== linkTarget(abs(upper, path));
      case 'char':
      case 'block':
        return a.rdev !== b.rdev;
      case 'file':
        if (a.size !== b.size || a.mtimeNs !== b.mtimeNs) return true;
        // The same inode (a tree compared with itself, or hardlinked copies) has the same bytes.
        if (b.mtimeNs % 1_000_000_000n !== 0n || (a.dev === b.dev && a.ino === b.ino)) return false;
        return !sameContent(abs(lower!, path), abs(upper, path));
      default:
        return false;
    }
  };

  /** Compares directory `dir` (present in both trees); returns whether its lower children are all gone. */
  const compareDirectory = (dir: string): boolean => {
    const upperNames = sortedNames(abs(upper, dir));
    const lowerNames = sortedNames(abs(lower!, dir));
    const upperSet = new Set(upperNames);
    const lowerSet = new Set(lowerNames);
    const names = [...new Set([...upperNames, ...lowerNames])].sort();
    for (const name of names) {
      const path = child(dir, name);
      if (!upperSet.has(name)) {
        changes.push({ path, kind: 'D' });
        continue;
      }
      const now = fileInfo(abs(upper, path));
      if (now === undefined || now.kind === 'socket') continue;
      const before = lowerSet.has(name) ? fileInfo(abs(lower!, path)) : undefined;
      if (before === undefined) {
        changes.push({ path, kind: 'A', info: now });
        if (now.kind === 'directory') addAll(path);
      } else if (now.kind === 'directory' && before.kind === 'directory') {
        const record: TreeChange = { path, kind: 'C', info: now };
        const at = changes.push(record) - 1;
        record.opaque = compareDirectory(path);
        const childrenChanged = changes.length > at + 1;
        if (!childrenChanged && !metadataDiffers(path, before, now)) changes.splice(at, 1);
        if (!record.opaque) delete record.opaque;
      } else if (now.kind === 'directory') {
        changes.push({ path, kind: 'C', info: now });
        addAll(path);
      } else if (fileDiffers(path, before, now)) {
        changes.push({ path, kind: 'C', info: now });
      }
    }
    return lowerNames.length > 0 && !lowerNames.some((name) => upperSet.has(name));
  };

  if (lower === undefined) {
    addAll('');
    return { changes, rootOpaque: false };
  }
  return { changes, rootOpaque: compareDirectory('') };
}
