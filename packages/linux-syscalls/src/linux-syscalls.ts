/**
 * The Linux system calls Node lacks, as a native addon: `mount(2)` and `umount2(2)`, and
 * starting a child process with `posix_spawn(3)` instead of libuv's fork (see
 * {@link LinuxSyscalls.spawn}). Get one with `loadLinuxSyscalls()`.
 *
 * A failure throws or rejects with a {@link SyscallError}: its `code` is the errno name.
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
  /**
   * `pipe2(2)` with `O_CLOEXEC`: `[readFd, writeFd]`, neither inherited by a child unless
   * given to it in {@link SpawnOptions.fds}. The caller closes both (with {@link LinuxSyscalls.close}, or
   * through a stream that owns the descriptor).
   */
  pipe(): [readFd: number, writeFd: number];
  /**
   * Starts a program with `posix_spawn(3)` and returns its pid once it has been executed.
   * glibc spawns with `clone(CLONE_VM|CLONE_VFORK)`, whose cost does not grow with the
   * parent's memory, where `child_process.spawn` forks (copying the page tables of a large
   * Node process costs milliseconds). Throws a {@link SyscallError} (`syscall` `posix_spawn`)
   * when the child cannot be started — `ENOENT` for a missing program or `cwd`, `EACCES`,
   * `EBADF` for a descriptor in `fds` that is not open — and then no child is left behind.
   *
   * The child must be reaped with {@link LinuxSyscalls.waitpid}: libuv reaps only the children it
   * started itself, so one never waited for stays a zombie.
   */
  spawn(options: SpawnOptions): number;
  /**
   * `waitpid(2)` for a child from {@link LinuxSyscalls.spawn}: resolves with how it ended once it has
   * exited and is reaped. Blocks a libuv thread-pool thread until then, so it suits
   * children that do not run long. Rejects with `ECHILD` for a pid that is not an unreaped
   * child of this process.
   */
  waitpid(pid: number): Promise<ChildExit>;
  /** `close(2)`: closes a descriptor from {@link LinuxSyscalls.pipe}; throws `EBADF` for one that is not open. */
  close(fd: number): void;
}

/** What {@link LinuxSyscalls.spawn} starts, and how. */
export interface SpawnOptions {
  /** The program: a path, not looked up in `PATH` (relative paths resolve against `cwd`). */
  file: string;
  /** Its arguments, without `argv[0]` (which is `file`). */
  args?: readonly string[];
  /** Its whole environment; this process's own when absent. */
  env?: Readonly<Record<string, string>>;
  /** Its working directory; this process's when absent. */
  cwd?: string;
  /**
   * Its file descriptors: entry `i` is the parent descriptor the child gets as `i` (its
   * copy is not close-on-exec), `null` for `/dev/null`. 0, 1 and 2 are `/dev/null` when not
   * given; every other descriptor is closed in the child.
   */
  fds?: ReadonlyArray<number | null>;
  /** Start it in a session of its own (`setsid`), so it outlives this process's session and terminal. */
  setsid?: boolean;
}

/**
 * How a child ended: its exit code, or the signal that killed it (`SIGKILL`). The child
 * starts with no signal blocked and every signal at its default action (Node itself ignores
 * `SIGPIPE`; its children should not).
 */
export type ChildExit = { code: number; signal?: undefined } | { signal: string; code?: undefined };

/** The calls a {@link SyscallError} can come from. */
const syscallNames = new Set<string>(['mount', 'umount2', 'posix_spawn', 'waitpid', 'pipe', 'close']);

/**
 * How a failed call throws or rejects: an `Error` shaped like Node's own system errors, with
 * the errno name as `code` (`EBUSY`, `EINVAL`, `ENOENT`, `EPERM`, …), the negative errno as
 * `errno`, the call as `syscall` and, for `mount`/`umount2`/`posix_spawn`, the target or
 * program as `path`. The message names the call and its paths.
 */
export interface SyscallError extends Error {
  code: string;
  errno: number;
  syscall: 'mount' | 'umount2' | 'posix_spawn' | 'waitpid' | 'pipe' | 'close';
  /** The mount target, or the program for `posix_spawn`; absent for the other calls. */
  path?: string;
  /** The mount source, for `mount`. */
  source?: string;
}

/** Whether `err` is a {@link SyscallError} (carries an errno name as `code`). */
export function isSyscallError(err: unknown): err is SyscallError {
  return (
    err instanceof Error &&
    typeof (err as Partial<SyscallError>).code === 'string' &&
    syscallNames.has((err as Partial<SyscallError>).syscall ?? '')
  );
}
