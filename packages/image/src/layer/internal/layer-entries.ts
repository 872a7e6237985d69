import type { TarWriteEntry } from './tar-writer.js';
import { type FileInfo, type XattrIndex, deviceNumbers, linkTarget } from './tree-scan.js';

const overlayXattrPrefix = 'trusted.overlay.';

/** The xattrs of a path that belong in a layer: overlayfs bookkeeping never does. */
export function layerXattrs(index: XattrIndex, path: string): Map<string, Buffer> | undefined {
  const all = index.get(path);
  if (!all) return undefined;
  const kept = new Map([...all].filter(([name]) => !name.startsWith(overlayXattrPrefix)));
  return kept.size > 0 ? kept : undefined;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash + 1);
}

function seconds(info: FileInfo): number {
  return Number(info.mtimeNs / 1_000_000_000n);
}

/**
 * Turns files of a tree into tar members, remembering inodes so that the second and
 * later names of a multiply-linked inode become hardlink members pointing at the first.
 */
export class LayerEntries {
  private readonly inodes = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly xattrs: XattrIndex,
  ) {}

  /** The member for the file at relative `path`. */
  entry(path: string, info: FileInfo): TarWriteEntry {
    const base = {
      name: path,
      mode: info.mode,
      uid: info.uid,
      gid: info.gid,
      mtime: seconds(info),
      size: 0,
      xattrs: layerXattrs(this.xattrs, path),
    };
    if (info.kind !== 'directory' && info.nlink > 1) {
      const key = `${info.dev}:${info.ino}`;
      const first = this.inodes.get(key);
      if (first !== undefined) return { ...base, type: 'hardlink', linkname: first };
      this.inodes.set(key, path);
    }
    const abs = `${this.root}/${path}`;
    switch (info.kind) {
      case 'file':
        return { ...base, type: 'file', size: info.size, contentPath: abs, contentIdentity: { dev: info.dev, ino: info.ino } };
      case 'directory':
        return { ...base, type: 'directory' };
      case 'symlink':
        return { ...base, type: 'symlink', linkname: linkTarget(abs) };
      case 'char':
      case 'block': {
        const { major, minor } = deviceNumbers(info.rdev);
        return { ...base, type: info.kind, devmajor: major, devminor: minor };
      }
      default:
        return { ...base, type: 'fifo' };
    }
  }

  /** An OCI whiteout member deleting `path` (an empty file named `.wh.<name>`). */
  static whiteout(path: string, info?: FileInfo): TarWriteEntry {
    const slash = path.lastIndexOf('/');
    return {
      name: `${parentOf(path)}.wh.${path.slice(slash + 1)}`,
      type: 'file',
      mode: 0o600,
      uid: info?.uid ?? 0,
      gid: info?.gid ?? 0,
      mtime: info ? seconds(info) : 0,
      size: 0,
    };
  }

  /** An OCI opaque marker for directory `path` (`''` is the root), owned like the directory. */
  static opaque(path: string, directory: FileInfo): TarWriteEntry {
    return {
      name: path === '' ? '.wh..wh..opq' : `${path}/.wh..wh..opq`,
      type: 'file',
      mode: directory.mode & 0o777,
      uid: directory.uid,
      gid: directory.gid,
      mtime: seconds(directory),
      size: 0,
    };
  }
}
