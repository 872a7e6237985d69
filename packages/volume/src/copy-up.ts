import { chmod, copyFile, lchown, link, lstat, lutimes, mkdir, readdir, readlink, symlink, utimes } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { InternalError, InvalidArgumentError } from '@berth/errdefs';
import { runProgram } from '@berth/program';
import { copyXattrs } from './internal/copy-xattrs.js';

/** Options of {@link copyImageContentIntoVolume}. */
export interface CopyUpOptions {
  signal?: AbortSignal;
}

/**
 * Docker's copy-up: when a container mounts an empty volume over a path where its image
 * has content, that content is copied into the volume first. Copies the tree at
 * `sourceDir` (the image's directory at the mount path, inside the container's root
 * filesystem) into `volumePath`, keeping owners, modes (setuid/setgid/sticky included),
 * modification and access times, symlinks (never followed), hard links within the tree,
 * FIFOs and device nodes, and extended attributes (file capabilities included; best effort
 * without the `attr` tools or xattr support). The volume's root directory takes the owner and mode of
 * `sourceDir`, as Docker does.
 *
 * Does nothing and resolves `false` when `volumePath` is not empty (the volume already
 * has data) or when `sourceDir` does not exist or is not a directory; resolves `true` when
 * it copied. Whether a volume was populated before — and so must not be populated again
 * even if emptied — is the caller's record (the volume service keeps it).
 *
 * `sourceDir` must already be resolved inside the container's root (its symlinks
 * resolved against that root, not the host's); below it nothing is followed.
 */
export async function copyImageContentIntoVolume(
  sourceDir: string,
  volumePath: string,
  options: CopyUpOptions = {},
): Promise<boolean> {
  let sourceStats: Stats;
  try {
    sourceStats = await lstat(sourceDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw err;
  }
  if (!sourceStats.isDirectory()) return false;
  const targetStats = await lstat(volumePath);
  if (!targetStats.isDirectory()) throw new InvalidArgumentError(`volume path ${volumePath} is not a directory`);
  if ((await readdir(volumePath)).length > 0) return false;

  const linked = new Map<string, string>();
  const copyEntry = async (source: string, target: string, stats: Stats): Promise<void> => {
    options.signal?.throwIfAborted();
    if (stats.nlink > 1 && !stats.isDirectory()) {
      const key = `${stats.dev}:${stats.ino}`;
      const first = linked.get(key);
      if (first !== undefined) {
        await link(first, target);
        return;
      }
      linked.set(key, target);
    }
    if (stats.isDirectory()) {
      await mkdir(target, { mode: 0o700 });
      for (const name of await readdir(source)) {
        await copyEntry(join(source, name), join(target, name), await lstat(join(source, name)));
      }
    } else if (stats.isSymbolicLink()) {
      await symlink(await readlink(source), target);
    } else if (stats.isFile()) {
      // Copy-on-write where the filesystem can; plain copy elsewhere.
      await copyFile(source, target, constants.COPYFILE_FICLONE);
    } else if (!(await makeNode(target, stats))) {
      return;
    }
    await copyMetadata(target, stats);
  };

  for (const name of await readdir(sourceDir)) {
    await copyEntry(join(sourceDir, name), join(volumePath, name), await lstat(join(sourceDir, name)));
  }
  await copyMetadata(volumePath, sourceStats, { times: false });
  await copyXattrs(sourceDir, volumePath, options.signal);
  return true;
}

/** Owner first (chown clears setuid/setgid bits), then mode, then times. */
async function copyMetadata(target: string, stats: Stats, what: { times?: boolean } = {}): Promise<void> {
  await lchown(target, stats.uid, stats.gid);
  if (!stats.isSymbolicLink()) await chmod(target, stats.mode & 0o7777);
  if (what.times === false) return;
  if (stats.isSymbolicLink()) await lutimes(target, stats.atime, stats.mtime);
  else await utimes(target, stats.atime, stats.mtime);
}

/**
 * FIFOs and device nodes: Node has no mknod, so the `mknod` program makes them. Resolves
 * `false` for sockets, which belong to a process that is not running here (skipped).
 */
async function makeNode(target: string, stats: Stats): Promise<boolean> {
  let args: string[];
  if (stats.isFIFO()) {
    args = [target, 'p'];
  } else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    const major = Math.floor(stats.rdev / 256) & 0xfff;
    const minor = (stats.rdev & 0xff) | ((Math.floor(stats.rdev / 4096) & 0xfff00) >>> 0);
    args = [target, stats.isCharacterDevice() ? 'c' : 'b', String(major), String(minor)];
  } else {
    return false;
  }
  const result = await runProgram('mknod', args);
  if (result.code !== 0) throw new InternalError(`cannot create ${target} during copy-up: ${result.stderr.trim()}`);
  return true;
}
