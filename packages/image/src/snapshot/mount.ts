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
import {
  type LinuxSyscalls,
  MNT_DETACH,
  MS_BIND,
  MS_MOVE,
  MS_REC,
  MS_REMOUNT,
  isSyscallError,
  loadLinuxSyscalls,
  splitMountOptions,
} from '@berth/linux-syscalls';
import { type ProgramResult, runProgram } from '@berth/program';
import { isMountPoint } from './mount-table.js';
import type { Mount } from './snapshotter.js';

/**
 * The kernel copies at most one page of `mount(2)` options; leave room for what
 * `mount(8)` may add. Above this, overlay lower dirs are passed relative to a working
 * directory (as containerd does).
 */
const maxOptionsLength = 4096 - 512;

/**
 * The native `mount(2)`/`umount2(2)` calls, unless the addon is not built or
 * `BERTH_NO_NATIVE_MOUNT=1` asks for `mount(8)`/`umount(8)` (tests cover both paths with it).
 * Forking a program from a large Node process costs milliseconds; the system call does not.
 */
function nativeMounts(): LinuxSyscalls | undefined {
  const off = process.env.BERTH_NO_NATIVE_MOUNT;
  if (off !== undefined && off !== '' && off !== '0') return undefined;
  return loadLinuxSyscalls();
}

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

/** Turns a failed `mount(2)`/`umount2(2)` into the errdefs error that says why, as {@link mountFailure} does for the programs. */
function syscallFailure(action: string, err: unknown): BerthError {
  if (!isSyscallError(err)) return new InternalError(`${action} failed: ${(err as Error)?.message ?? err}`, { cause: err });
  const message = `${action} failed: ${err.message}`;
  switch (err.code) {
    case 'EPERM':
    case 'EACCES':
      return new PermissionDeniedError(message, { cause: err });
    case 'ENODEV':
      return new NotImplementedError(message, { cause: err });
    case 'ENOENT':
      return new NotFoundError(message, { cause: err });
    default:
      return new InternalError(message, { cause: err });
  }
}

/** The arguments of one `mount(2)` call. */
interface MountCall {
  source: string;
  fstype: string | null;
  flags: number;
  data: string | null;
}

/**
 * `mount` as one `mount(2)` call, or `undefined` when it needs what `mount(8)` adds: a
 * bind with other options (`ro` is a second, remounting call), propagation or remount
 * flags, options too long for one page (relative lower dirs need a working directory).
 */
function mountCall(mount: Mount): MountCall | undefined {
  if (mount.options.join(',').length > maxOptionsLength) return undefined;
  if (mount.type === 'bind') {
    const bindOptions = mount.options.some((o) => o === 'bind' || o === 'rbind') ? mount.options : ['bind', ...mount.options];
    const { flags, data, propagation } = splitMountOptions(bindOptions);
    if (data !== '' || propagation !== 0 || (flags & ~(MS_BIND | MS_REC)) !== 0) return undefined;
    return { source: mount.source, fstype: 'none', flags, data: null };
  }
  const { flags, data, propagation } = splitMountOptions(mount.options);
  if (propagation !== 0 || (flags & (MS_BIND | MS_REMOUNT | MS_MOVE)) !== 0) return undefined;
  return { source: mount.source, fstype: mount.type, flags, data: data === '' ? null : data };
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
 * Mounts `mounts` on `target`, in order (later ones stack on earlier ones), with `mount(2)`
 * where the native addon covers the mount, else by running `mount(8)`. `await` means
 * mounted. When one fails, those already mounted are unmounted again and the error says
 * why: `PermissionDenied` (not root), `NotImplemented` (the kernel lacks the file system),
 * `NotFound` (a missing directory), else `Internal`.
 */
export async function mountAll(mounts: Mount[], target: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  const absoluteTarget = resolve(target);
  let mounted = 0;
  try {
    for (const mount of mounts) {
      await mountOne(mount, absoluteTarget, options.signal);
      mounted++;
    }
  } catch (err) {
    // Undo only our own mounts: whatever was mounted on the target before stays.
    for (; mounted > 0; mounted--) await unmountOnce(absoluteTarget).catch(() => undefined);
    throw err;
  }
}

/** Mounts one of {@link mountAll}'s mounts on the absolute `target`. */
async function mountOne(mount: Mount, target: string, signal: AbortSignal | undefined): Promise<void> {
  const action = `mounting ${mount.type} ${mount.source} on ${target}`;
  const syscalls = nativeMounts();
  const call = syscalls && mountCall(mount);
  if (syscalls && call) {
    signal?.throwIfAborted();
    await syscalls.mount(call.source, target, call.fstype, call.flags, call.data).catch((err: unknown) => {
      throw syscallFailure(action, err);
    });
    return;
  }
  const { args, cwd } = mountInvocation(mount, target);
  const result = await runProgram('mount', args, { cwd, signal, env: cLocale() });
  if (result.code !== 0) throw mountFailure(action, result);
}

/** Unmounts the top mount on `target`, lazily when it is busy; `false` when nothing was mounted. */
async function unmountOnce(target: string): Promise<boolean> {
  const syscalls = nativeMounts();
  if (syscalls) return unmountOnceNative(syscalls, target);
  const result = await runProgram('umount', [target], { env: cLocale() });
  if (result.code === 0) return true;
  if (/not mounted|no mount point/i.test(result.stderr)) return false;
  if (!/busy/i.test(result.stderr)) throw mountFailure(`unmounting ${target}`, result);
  const lazy = await runProgram('umount', ['-l', target], { env: cLocale() });
  if (lazy.code !== 0) throw mountFailure(`lazily unmounting ${target}`, lazy);
  return true;
}

/**
 * {@link unmountOnce} with `umount2(2)`: `EINVAL` (not a mount point) and `ENOENT` (no such
 * directory) mean nothing was mounted, `EBUSY` is retried with `MNT_DETACH`. `EPERM` is
 * nothing mounted too when the mount table agrees (a caller that is not root).
 */
async function unmountOnceNative(syscalls: LinuxSyscalls, target: string): Promise<boolean> {
  try {
    await syscalls.umount2(target, 0);
    return true;
  } catch (err) {
    if (!isSyscallError(err)) throw syscallFailure(`unmounting ${target}`, err);
    if (err.code === 'EINVAL' || err.code === 'ENOENT') return false;
    // Without the right to unmount, nothing mounted is still not an error (as with umount(8)).
    if (err.code === 'EPERM' && !(await isMountPoint(target))) return false;
    if (err.code !== 'EBUSY') throw syscallFailure(`unmounting ${target}`, err);
  }
  await syscalls.umount2(target, MNT_DETACH).catch((err: unknown) => {
    throw syscallFailure(`lazily unmounting ${target}`, err);
  });
  return true;
}

/**
 * Unmounts everything mounted on `target` (stacked mounts included) with `umount2(2)`, or
 * by running `umount(8)` without the native addon; a busy mount is detached lazily
 * (`MNT_DETACH`, `umount -l`) so it disappears from the tree now and is released when its
 * last user goes. Nothing mounted is not an error.
 */
export async function unmountAll(target: string): Promise<void> {
  const absoluteTarget = resolve(target);
  // The native path learns "not mounted" from EINVAL; umount(8) needs the mount table first.
  const checkTable = nativeMounts() === undefined;
  // Bounded: each round removes one stacked mount or fails.
  for (let round = 0; round < 64; round++) {
    if (checkTable && !(await isMountPoint(absoluteTarget))) return;
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
