import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import {
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  PermissionDeniedError,
  type BerthError,
} from '@berth/errdefs';
import { type ProgramResult, runProgram } from '@berth/program';
import { isMountPoint } from './mount-table.js';
import type { Mount } from './snapshotter.js';

/**
 * The kernel copies at most one page of `mount(2)` options; leave room for what
 * `mount(8)` may add. Above this, overlay lower dirs are passed relative to a working
 * directory (as containerd does).
 */
const maxOptionsLength = 4096 - 512;

/** The environment for `mount`/`umount`: English messages, which {@link mountFailure} reads. */
function cLocale(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C' };
}

/** Turns a failed `mount`/`umount` run into the errdefs error that says why. */
function mountFailure(action: string, result: ProgramResult): BerthError {
  const why = result.stderr.trim() || `exit code ${result.code}`;
  const message = `${action} failed: ${why}`;
  if (/must be superuser|only root|permission denied|operation not permitted/i.test(why)) {
    return new PermissionDeniedError(message);
  }
  if (/unknown filesystem type/i.test(why)) return new NotImplementedError(message);
  if (/no such file or directory|does not exist|mount point does not exist/i.test(why)) return new NotFoundError(message);
  return new InternalError(message);
}

/**
 * Overlay options with lower dirs made relative to their longest common directory, for
 * option strings too long for one page. Upper and work dirs stay absolute.
 */
function compactOverlayOptions(options: string[]): { options: string[]; cwd: string } | undefined {
  const lowerIndex = options.findIndex((o) => o.startsWith('lowerdir='));
  if (lowerIndex < 0) return undefined;
  const lowerDirs = options[lowerIndex]!.slice('lowerdir='.length).split(':');
  if (!lowerDirs.every(isAbsolute)) return undefined;
  // Common leading components, never a whole lower dir (each relative path stays non-empty).
  const split = lowerDirs.map((d) => d.split(sep));
  let common = Math.min(...split.map((parts) => parts.length - 1));
  for (let i = 0; i < common; i++) {
    if (!split.every((parts) => parts[i] === split[0]![i])) common = i;
  }
  const cwd = split[0]!.slice(0, common).join(sep) || sep;
  if (common <= 1) return undefined;
  const relative = split.map((parts) => parts.slice(common).join(sep));
  const compacted = [...options];
  compacted[lowerIndex] = `lowerdir=${relative.join(':')}`;
  return { options: compacted, cwd };
}

/** The `mount(8)` arguments (and working directory) performing `mount` on `target`. */
function mountInvocation(mount: Mount, target: string): { args: string[]; cwd?: string } {
  if (mount.type === 'bind') {
    const options = mount.options.some((o) => o === 'bind' || o === 'rbind') ? mount.options : ['bind', ...mount.options];
    return { args: ['-o', options.join(','), mount.source, target] };
  }
  let options = mount.options;
  let cwd: string | undefined;
  if (options.join(',').length > maxOptionsLength && mount.type === 'overlay') {
    const compacted = compactOverlayOptions(options);
    if (compacted) ({ options, cwd } = compacted);
  }
  if (options.join(',').length > maxOptionsLength) {
    throw new InvalidArgumentError(
      `${mount.type} mount on ${target} has ${options.join(',').length} bytes of options, more than the kernel accepts (too many layers?)`,
    );
  }
  const args = ['-t', mount.type];
  if (options.length > 0) args.push('-o', options.join(','));
  args.push(mount.source, target);
  return { args, cwd };
}

/**
 * Mounts `mounts` on `target`, in order (later ones stack on earlier ones), by running
 * `mount(8)`. `await` means mounted. When one fails, those already mounted are unmounted
 * again and the error says why: `PermissionDenied` (not root), `NotImplemented` (the
 * kernel lacks the file system), `NotFound` (a missing directory), else `Internal`.
 */
export async function mountAll(mounts: Mount[], target: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  const absoluteTarget = resolve(target);
  let mounted = 0;
  try {
    for (const mount of mounts) {
      const { args, cwd } = mountInvocation(mount, absoluteTarget);
      const result = await runProgram('mount', args, { cwd, signal: options.signal, env: cLocale() });
      if (result.code !== 0) throw mountFailure(`mounting ${mount.type} ${mount.source} on ${absoluteTarget}`, result);
      mounted++;
    }
  } catch (err) {
    // Undo only our own mounts: whatever was mounted on the target before stays.
    for (; mounted > 0; mounted--) await unmountOnce(absoluteTarget).catch(() => undefined);
    throw err;
  }
}

/** Unmounts the top mount on `target`, lazily when it is busy; `false` when nothing was mounted. */
async function unmountOnce(target: string): Promise<boolean> {
  const result = await runProgram('umount', [target], { env: cLocale() });
  if (result.code === 0) return true;
  if (/not mounted|no mount point/i.test(result.stderr)) return false;
  if (!/busy/i.test(result.stderr)) throw mountFailure(`unmounting ${target}`, result);
  const lazy = await runProgram('umount', ['-l', target], { env: cLocale() });
  if (lazy.code !== 0) throw mountFailure(`lazily unmounting ${target}`, lazy);
  return true;
}

/**
 * Unmounts everything mounted on `target` (stacked mounts included) by running
 * `umount(8)`; a busy mount is detached lazily (`umount -l`) so it disappears from the
 * tree now and is released when its last user goes. Nothing mounted is not an error.
 */
export async function unmountAll(target: string): Promise<void> {
  const absoluteTarget = resolve(target);
  // Bounded: each round removes one stacked mount or fails.
  for (let round = 0; round < 64; round++) {
    if (!(await isMountPoint(absoluteTarget))) return;
    if (!(await unmountOnce(absoluteTarget))) return;
  }
  throw new InternalError(`${absoluteTarget} is still mounted after unmounting it 64 times`);
}

/**
 * Mounts `mounts` on a fresh temporary directory, runs `fn` with it, and always unmounts
 * and removes the directory afterwards — whether `fn` resolves or throws. Needs root.
 * `parent` chooses where the temporary mount point is made (default: the OS temp dir).
 */
export async function withMounts<T>(
  mounts: Mount[],
  fn: (directory: string) => Promise<T>,
  options: { signal?: AbortSignal; parent?: string } = {},
): Promise<T> {
  const directory = await mkdtemp(join(options.parent ?? tmpdir(), 'berth-mount-'));
  let result: T;
  try {
    await mountAll(mounts, directory, { signal: options.signal });
  } catch (err) {
    await rmdir(directory).catch(() => undefined);
    throw err;
  }
  try {
    result = await fn(directory);
  } catch (err) {
    await releaseMountPoint(directory).catch((cleanupErr: unknown) => {
      throw new InternalError(
        `unmounting ${directory} failed (${(cleanupErr as Error).message}) after: ${(err as Error)?.message ?? err}`,
        { cause: err },
      );
    });
    throw err;
  }
  await releaseMountPoint(directory);
  return result;
}

/** Unmounts and removes a temporary mount point; `rmdir` (never recursive) so nothing mounted is deleted. */
async function releaseMountPoint(directory: string): Promise<void> {
  await unmountAll(directory);
  await rmdir(directory);
}

/**
 * The directory behind `mounts` when they are a single bind mount (what the copying
 * snapshotter returns), so a process without the right to mount can read — or write —
 * a snapshot in place. Read-only options are not enforced this way. `FailedPrecondition`
 * for anything that needs a real mount (overlay).
 */
export function mountsToDirectory(mounts: Mount[]): string {
  const [only] = mounts;
  if (mounts.length !== 1 || only?.type !== 'bind') {
    const kinds = mounts.map((m) => m.type).join(', ') || 'none';
    throw new FailedPreconditionError(`mounts (${kinds}) are not a single bind mount: they must be mounted to be read`);
  }
  return only.source;
}
