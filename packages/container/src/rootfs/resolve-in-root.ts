import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@berth/errdefs';

/** How many symlinks one resolution may follow before it is refused (Linux says 40). */
const maxSymlinks = 40;

/** Options of {@link resolveInRoot}. */
export interface ResolveInRootOptions {
  /**
   * Follow a symlink in the last component too (default `true`). `false` resolves the
   * parent directories only, so the link itself is named (what `lstat`, `unlink` and
   * `docker cp` of a link want).
   */
  followFinal?: boolean;
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Splits a container path into its components, dropping empty ones and `.`. */
export function pathComponents(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * The host path of `path` inside the root file system at `root`, resolved as the kernel
 * would if `root` were `/`: symlinks met on the way are followed, but an absolute link
 * target restarts at `root` and `..` never climbs above it. Whatever links a container
 * made (`etc -> /etc`, `x -> ../../..`), the result is `root` or below it — never a host
 * path outside. Components that do not exist are kept as they are (so a path to create
 * can be resolved). `InvalidArgument` after 40 links (a loop).
 *
 * This checks the tree as it is now: a process in a running container can swap a
 * directory for a link afterwards. Callers open the result with `O_NOFOLLOW` where they
 * can, and the engine pauses a running container around archive operations.
 */
export async function resolveInRoot(root: string, path: string, options: ResolveInRootOptions = {}): Promise<string> {
  const followFinal = options.followFinal ?? true;
  const resolved: string[] = [];
  const pending = pathComponents(path);
  let links = 0;
  let missing = false;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    // Below a missing component nothing exists to follow: the rest is joined lexically.
    if (missing || (!followFinal && pending.length === 0)) {
      resolved.push(part);
      continue;
    }
    const candidate = join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (err) {
      const code = errnoOf(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      missing = true;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > maxSymlinks) {
      throw new InvalidArgumentError(`too many levels of symbolic links resolving ${path} in the container`);
    }
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...pathComponents(target));
  }
  return join(root, ...resolved);
}

/** `path` as a container sees it (`/a/b`), from a host path inside `root`. */
export function containerPathOf(root: string, hostPath: string): string {
  const rootPrefix = root.endsWith('/') ? root : `${root}/`;
  if (hostPath === root || hostPath === rootPrefix.slice(0, -1)) return '/';
  if (!hostPath.startsWith(rootPrefix)) throw new InvalidArgumentError(`${hostPath} is not inside ${root}`);
  return `/${hostPath.slice(rootPrefix.length)}`;
}
