import { lstat } from 'node:fs/promises';
import { posix } from 'node:path';
import { NotFoundError } from '@berth/errdefs';
import { containerPathOf, resolveInRoot } from '../rootfs/resolve-in-root.js';

/** The kind of file a path names. */
export type PathType = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'char-device' | 'block-device';

/** What `docker cp` learns about a path before copying (docker's `ContainerPathStat`). */
export interface PathStat {
  /** The last component of the path as asked (`/` for the root). */
  name: string;
  /** Bytes (of the link text for a symlink). */
  size: number;
  /** `st_mode`: permission bits and file type bits. */
  mode: number;
  type: PathType;
  mtime: Date;
  /** For a symlink: the path it resolves to inside the container; `''` otherwise. */
  linkTarget: string;
}

/** Options of the archive operations. */
export interface ArchiveOptions {
  /** Container name or ID, for messages ("Could not find the file /x in container web"). */
  containerName?: string;
  signal?: AbortSignal;
}

/** The {@link PathType} of an `lstat` result. */
export function pathTypeOf(stats: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean }): PathType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  return stats.isCharacterDevice() ? 'char-device' : 'block-device';
}

/** A path that names its directory's contents or the directory itself, not a link: `…/` or `…/.`. */
export function followsFinalComponent(path: string): boolean {
  return path.endsWith('/') || path.endsWith('/.') || path === '.';
}

/** docker's "Could not find the file …" as `NotFound`. */
export function missingPath(path: string, options: ArchiveOptions): NotFoundError {
  const where = options.containerName ? ` in container ${options.containerName}` : ' in container';
  return new NotFoundError(`Could not find the file ${path}${where}`, { details: { path } });
}

/**
 * Resolves `path` in the container's root file system as `docker cp` does: the
 * directories on the way are resolved inside the root (links followed, never out of it),
 * the last component is not followed unless the path ends with `/` or `/.`.
 */
export async function resolveArchivePath(root: string, path: string): Promise<string> {
  const absolute = posix.join('/', path);
  return resolveInRoot(root, absolute, { followFinal: followsFinalComponent(path) });
}

/**
 * Stats `path` in the container whose root file system is `root` (docker's
 * `HEAD /containers/{id}/archive`): a link is described, not followed, and its target
 * given as a path inside the container. `NotFound` ("Could not find the file …") if absent.
 */
export async function statPath(root: string, path: string, options: ArchiveOptions = {}): Promise<PathStat> {
  const hostPath = await resolveArchivePath(root, path);
  let stats;
  try {
    stats = await lstat(hostPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw missingPath(path, options);
    throw err;
  }
  const type = pathTypeOf(stats);
  const linkTarget = type === 'symlink' ? containerPathOf(root, await resolveInRoot(root, containerPathOf(root, hostPath))) : '';
  const name = posix.basename(posix.join('/', path)) || '/';
  return { name, size: stats.size, mode: stats.mode, type, mtime: stats.mtime, linkTarget };
}
