import {
  MS_BIND,
  MS_DIRSYNC,
  MS_LAZYTIME,
  MS_MANDLOCK,
  MS_NOATIME,
  MS_NODEV,
  MS_NODIRATIME,
  MS_NOEXEC,
  MS_NOSUID,
  MS_NOSYMFOLLOW,
  MS_PRIVATE,
  MS_RDONLY,
  MS_REC,
  MS_RELATIME,
  MS_REMOUNT,
  MS_SHARED,
  MS_SILENT,
  MS_SLAVE,
  MS_STRICTATIME,
  MS_SYNCHRONOUS,
  MS_UNBINDABLE,
} from './mount-flags.js';

/** What one `mount(8)` option word does to the flags: bits it sets, bits it clears. */
interface FlagOption {
  set: number;
  clear: number;
}

const set = (bits: number): FlagOption => ({ set: bits, clear: 0 });
const clear = (bits: number): FlagOption => ({ set: 0, clear: bits });

/** The option words `mount(8)` turns into `mount(2)` flags rather than passing on as data. */
const flagOptions: ReadonlyMap<string, FlagOption> = new Map([
  ['defaults', set(0)],
  ['ro', set(MS_RDONLY)],
  ['rw', clear(MS_RDONLY)],
  ['nosuid', set(MS_NOSUID)],
  ['suid', clear(MS_NOSUID)],
  ['nodev', set(MS_NODEV)],
  ['dev', clear(MS_NODEV)],
  ['noexec', set(MS_NOEXEC)],
  ['exec', clear(MS_NOEXEC)],
  ['sync', set(MS_SYNCHRONOUS)],
  ['async', clear(MS_SYNCHRONOUS)],
  ['dirsync', set(MS_DIRSYNC)],
  ['remount', set(MS_REMOUNT)],
  ['bind', set(MS_BIND)],
  ['rbind', set(MS_BIND | MS_REC)],
  ['mand', set(MS_MANDLOCK)],
  ['nomand', clear(MS_MANDLOCK)],
  ['noatime', set(MS_NOATIME)],
  ['atime', clear(MS_NOATIME)],
  ['nodiratime', set(MS_NODIRATIME)],
  ['diratime', clear(MS_NODIRATIME)],
  ['relatime', set(MS_RELATIME)],
  ['norelatime', clear(MS_RELATIME)],
  ['strictatime', set(MS_STRICTATIME)],
  ['nostrictatime', clear(MS_STRICTATIME)],
  ['lazytime', set(MS_LAZYTIME)],
  ['nolazytime', clear(MS_LAZYTIME)],
  ['silent', set(MS_SILENT)],
  ['loud', clear(MS_SILENT)],
  ['nosymfollow', set(MS_NOSYMFOLLOW)],
]);

/** Propagation words: applied by a separate `mount(2)` call on the mounted target. */
const propagationOptions: ReadonlyMap<string, number> = new Map([
  ['private', MS_PRIVATE],
  ['rprivate', MS_PRIVATE | MS_REC],
  ['shared', MS_SHARED],
  ['rshared', MS_SHARED | MS_REC],
  ['slave', MS_SLAVE],
  ['rslave', MS_SLAVE | MS_REC],
  ['unbindable', MS_UNBINDABLE],
  ['runbindable', MS_UNBINDABLE | MS_REC],
]);

/** `mount(8)`-style options split into what `mount(2)` takes: see {@link splitMountOptions}. */
export interface SplitMountOptions {
  /** The `MS_*` flags the option words ask for (`ro,nosuid` → `MS_RDONLY | MS_NOSUID`). */
  flags: number;
  /** The file-system-specific options, comma-joined in their order (`lowerdir=…,index=off`); `''` when none. */
  data: string;
  /**
   * Propagation flags (`rprivate` → `MS_PRIVATE | MS_REC`), 0 when none. The kernel applies
   * these only in a call of their own on the mounted target, so they are kept apart.
   */
  propagation: number;
}

/**
 * Splits `mount(8)` options (`['ro', 'nosuid', 'lowerdir=/a:/b']` or `'ro,nosuid,lowerdir=/a:/b'`)
 * into `mount(2)` flags, propagation flags and the data string, as `mount(8)` does: later
 * words win (`ro,rw` is read-write). Words `mount(8)` handles in userspace (`nofail`, `loop`,
 * `x-*`, `user`) are not recognised and end up in `data`, where the kernel refuses them:
 * options like these need `mount(8)`.
 */
export function splitMountOptions(options: string | readonly string[]): SplitMountOptions {
  const words = typeof options === 'string' ? options.split(',') : options;
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const word of words) {
    if (word === '') continue;
    const flag = flagOptions.get(word);
    if (flag) {
      flags = (flags & ~flag.clear) | flag.set;
      continue;
    }
    const propagationFlag = propagationOptions.get(word);
    if (propagationFlag !== undefined) propagation = propagationFlag;
    else data.push(word);
  }
  return { flags, data: data.join(','), propagation };
}
