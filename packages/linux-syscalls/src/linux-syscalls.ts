/**
 * The Linux system calls Node lacks, as a native addon: `mount(2)` and `umount2(2)`. Each
 * call runs on the libuv thread pool (an unmount may have to sync an overlay's upper file
 * system) and resolves when the kernel has answered. Get one with `loadLinuxSyscalls()`.
 *
 * A failure rejects with a {@link SyscallError}: its `code` is the errno name.
 */
export interface LinuxSyscalls {
  /**
   * `mount(2)`: mounts `source` (a device, a directory for `MS_BIND`, or a name such as
   * `overlay` or `tmpfs`) of type `fstype` on `target`, with `MS_*` `flags` and the file
   * system's own options as `data` (at most one page). `null` where the call ignores an
   * argument (the source and type of a remount or propagation change).
   */
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): Promise<void>;
  /**
   * `umount2(2)`: unmounts the top mount on `target`; `flags` 0 or `MNT_DETACH` (lazy,
   * as `umount -l`) and the other `MNT_*` flags. `EINVAL` when `target` is not a mount
   * point, `EBUSY` when it is in use.
   */
  umount2(target: string, flags: number): Promise<void>;
}

/**
 * How a failed call rejects: an `Error` shaped like Node's own system errors, with the
 * errno name as `code` (`EBUSY`, `EINVAL`, `ENOENT`, `EPERM`, …), the negative errno as
 * `errno`, the call (`mount`/`umount2`) as `syscall` and the target as `path`. The message
 * names the call and its paths.
 */
export interface SyscallError extends Error {
  code: string;
  errno: number;
  syscall: 'mount' | 'umount2';
  path: string;
  /** The mount source, for `mount`. */
  source?: string;
}

/** Whether `err` is a {@link SyscallError} (carries an errno name as `code`). */
export function isSyscallError(err: unknown): err is SyscallError {
  return (
    err instanceof Error &&
    typeof (err as Partial<SyscallError>).code === 'string' &&
    ((err as Partial<SyscallError>).syscall === 'mount' || (err as Partial<SyscallError>).syscall === 'umount2')
  );
}
