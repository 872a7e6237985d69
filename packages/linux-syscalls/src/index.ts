/**
 * The Linux system calls Berth needs and Node lacks — `mount(2)` and `umount2(2)`, and
 * `posix_spawn(3)` with `waitpid(2)` — as a small N-API addon, so mounting a container's root
 * file system costs a system call instead of forking `mount(8)`, and starting a child (conmon)
 * does not copy the page tables of the whole engine process. Optional by design:
 * {@link loadLinuxSyscalls} is `undefined` where the addon is not built, and callers fall
 * back to the programs and `child_process`.
 *
 * @packageDocumentation
 */
export { loadLinuxSyscalls } from './load-linux-syscalls.js';
export { isSyscallError } from './linux-syscalls.js';
export type { ChildExit, LinuxSyscalls, SpawnOptions, SyscallError } from './linux-syscalls.js';
export { splitMountOptions } from './mount-options.js';
export type { SplitMountOptions } from './mount-options.js';
export {
  MS_RDONLY,
  MS_NOSUID,
  MS_NODEV,
  MS_NOEXEC,
  MS_SYNCHRONOUS,
  MS_REMOUNT,
  MS_MANDLOCK,
  MS_DIRSYNC,
  MS_NOSYMFOLLOW,
  MS_NOATIME,
  MS_NODIRATIME,
  MS_BIND,
  MS_MOVE,
  MS_REC,
  MS_SILENT,
  MS_UNBINDABLE,
  MS_PRIVATE,
  MS_SLAVE,
  MS_SHARED,
  MS_RELATIME,
  MS_STRICTATIME,
  MS_LAZYTIME,
  MNT_FORCE,
  MNT_DETACH,
  MNT_EXPIRE,
  UMOUNT_NOFOLLOW,
} from './mount-flags.js';
