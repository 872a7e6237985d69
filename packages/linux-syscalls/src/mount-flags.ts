// The kernel's mount(2) and umount2(2) flag values (<linux/mount.h>, <sys/mount.h>). They are
// part of the Linux ABI and the same on every architecture Node runs on.

/** `mount(2)`: mount read-only (`ro`). */
export const MS_RDONLY = 0x1;
/** `mount(2)`: ignore set-user-ID and set-group-ID bits (`nosuid`). */
export const MS_NOSUID = 0x2;
/** `mount(2)`: no access to device files (`nodev`). */
export const MS_NODEV = 0x4;
/** `mount(2)`: no program execution (`noexec`). */
export const MS_NOEXEC = 0x8;
/** `mount(2)`: writes are synchronous (`sync`). */
export const MS_SYNCHRONOUS = 0x10;
/** `mount(2)`: change the flags of an existing mount (`remount`). */
export const MS_REMOUNT = 0x20;
/** `mount(2)`: allow mandatory locks (`mand`; ignored by kernels since 5.15). */
export const MS_MANDLOCK = 0x40;
/** `mount(2)`: directory changes are synchronous (`dirsync`). */
export const MS_DIRSYNC = 0x80;
/** `mount(2)`: do not follow symbolic links when resolving paths (`nosymfollow`). */
export const MS_NOSYMFOLLOW = 0x100;
/** `mount(2)`: never update access times (`noatime`). */
export const MS_NOATIME = 0x400;
/** `mount(2)`: never update directory access times (`nodiratime`). */
export const MS_NODIRATIME = 0x800;
/** `mount(2)`: bind-mount the source directory (`bind`). */
export const MS_BIND = 0x1000;
/** `mount(2)`: move an existing mount (`--move`). */
export const MS_MOVE = 0x2000;
/** `mount(2)`: with {@link MS_BIND} or a propagation flag, apply to the whole subtree (`rbind`, `rprivate`…). */
export const MS_REC = 0x4000;
/** `mount(2)`: suppress some kernel warnings (`silent`). */
export const MS_SILENT = 0x8000;
/** Propagation: the mount cannot be bind-mounted (`unbindable`). */
export const MS_UNBINDABLE = 0x20000;
/** Propagation: events neither received nor sent (`private`). */
export const MS_PRIVATE = 0x40000;
/** Propagation: events received from the master only (`slave`). */
export const MS_SLAVE = 0x80000;
/** Propagation: events shared with the peer group (`shared`). */
export const MS_SHARED = 0x100000;
/** `mount(2)`: update access times only when older than modification times (`relatime`; the kernel default). */
export const MS_RELATIME = 0x200000;
/** `mount(2)`: always update access times (`strictatime`). */
export const MS_STRICTATIME = 0x1000000;
/** `mount(2)`: keep time updates in memory only (`lazytime`). */
export const MS_LAZYTIME = 0x2000000;

/** `umount2(2)`: force the unmount (network file systems); data may be lost. */
export const MNT_FORCE = 0x1;
/** `umount2(2)`: detach now, release when the last user goes (`umount -l`). */
export const MNT_DETACH = 0x2;
/** `umount2(2)`: mark for expiry; a second call unmounts when unused. */
export const MNT_EXPIRE = 0x4;
/** `umount2(2)`: do not follow a symbolic link as the target. */
export const UMOUNT_NOFOLLOW = 0x8;
