import { InvalidArgumentError } from '@berth/errdefs';

/**
 * Mount flags that take no value, grouped by the kernel flag they set or clear: two
 * options with the same key contradict each other and the later one wins.
 */
const flagKeys: Readonly<Record<string, string>> = {
  ro: 'rdonly',
  rw: 'rdonly',
  exec: 'noexec',
  noexec: 'noexec',
  suid: 'nosuid',
  nosuid: 'nosuid',
  dev: 'nodev',
  nodev: 'nodev',
  sync: 'sync',
  async: 'sync',
  dirsync: 'dirsync',
  atime: 'noatime',
  noatime: 'noatime',
  diratime: 'nodiratime',
  nodiratime: 'nodiratime',
  relatime: 'relatime',
  norelatime: 'relatime',
  strictatime: 'strictatime',
  nostrictatime: 'strictatime',
  mand: 'mand',
  nomand: 'mand',
  remount: 'remount',
  bind: 'bind',
  rbind: 'bind',
  private: 'propagation',
  rprivate: 'propagation',
  shared: 'propagation',
  rshared: 'propagation',
  slave: 'propagation',
  rslave: 'propagation',
  unbindable: 'propagation',
  runbindable: 'propagation',
};

/** The `key=value` options tmpfs accepts. */
const tmpfsDataKeys = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

/**
 * Merges tmpfs mount options as docker's `MergeTmpfsOptions` does: later options
 * override earlier ones with the same meaning (`exec` after `noexec`, a second
 * `size=`), `defaults` is dropped, order is otherwise kept. `InvalidArgument` ("invalid
 * tmpfs option") for an unknown option.
 */
export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const seenFlags = new Set<string>();
  const seenData = new Set<string>();
  const merged: string[] = [];
  for (let i = options.length - 1; i >= 0; i--) {
    const option = options[i]!;
    if (option === 'defaults' || option === '') continue;
    const flagKey = flagKeys[option];
    if (flagKey !== undefined) {
      if (!seenFlags.has(flagKey)) merged.unshift(option);
      seenFlags.add(flagKey);
      continue;
    }
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq);
    if (eq < 0 || !tmpfsDataKeys.has(key)) throw new InvalidArgumentError(`invalid tmpfs option "${option}"`);
    if (!seenData.has(key)) merged.unshift(option);
    seenData.add(key);
  }
  return merged;
}

/** `options` with `ro` set (or, with `readonly` false, cleared) — any `rw`/`ro` replaced. */
export function readonlyMountOption(options: readonly string[], readonly: boolean): string[] {
  const rest = options.filter((o) => o !== 'ro' && o !== 'rw');
  return readonly ? [...rest, 'ro'] : rest;
}

/**
 * Parses a size as docker's `--tmpfs size=` and `--shm-size` take it: bytes, or with a
 * unit `k`, `m`, `g` (binary, case-insensitive, optional `b`). `InvalidArgument` otherwise.
 */
export function parseByteSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`invalid size: '${text}'`);
  const units: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };
  return Math.floor(Number(match[1]) * units[match[2]!.toLowerCase()]!);
}
