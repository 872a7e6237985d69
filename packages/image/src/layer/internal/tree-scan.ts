import { type BigIntStats, closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { InternalError, NotFoundError } from '@berth/errdefs';
import { runProgram } from '@berth/program';
import { unescapeDumpPath } from './xattr-dump.js';

/** The file types a directory tree holds. */
export type FileKind = 'file' | 'directory' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/** What the diff needs to know of one file, from `lstat`. */
export interface FileInfo {
  kind: FileKind;
  /** Permission bits including setuid, setgid, sticky. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeNs: bigint;
  dev: bigint;
  ino: bigint;
  nlink: number;
  rdev: bigint;
}

/** Extended attributes of a tree: relative path (`''` for the root) → name → value. */
export type XattrIndex = Map<string, Map<string, Buffer>>;

function kindOf(stat: BigIntStats): FileKind {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'char';
  if (stat.isBlockDevice()) return 'block';
  if (stat.isFIFO()) return 'fifo';
  return 'socket';
}

/** `lstat` of one path as a {@link FileInfo}; `undefined` when it does not exist. */
export function fileInfo(path: string): FileInfo | undefined {
  const stat = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  if (stat === undefined) return undefined;
  return {
    kind: kindOf(stat),
    mode: Number(stat.mode & 0o7777n),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    size: Number(stat.size),
    mtimeNs: stat.mtimeNs,
    dev: stat.dev,
    ino: stat.ino,
    nlink: Number(stat.nlink),
    rdev: stat.rdev,
  };
}

/** The names in a directory, sorted so every walk (and so every tar) has one order. */
export function sortedNames(path: string): string[] {
  return readdirSync(path).sort();
}

/** The target of a symlink. */
export function linkTarget(path: string): string {
  return readlinkSync(path);
}

/** Major and minor numbers of a device (glibc's encoding of `dev_t`). */
export function deviceNumbers(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/** Whether two regular files have the same bytes. */
export function sameContent(a: string, b: string): boolean {
  const fa = openSync(a, 'r');
  try {
    const fb = openSync(b, 'r');
    try {
      const bufferA = Buffer.allocUnsafe(1 << 16);
      const bufferB = Buffer.allocUnsafe(1 << 16);
      for (;;) {
        const na = readSync(fa, bufferA, 0, bufferA.length, null);
        let nb = 0;
        while (nb < na) {
          const n = readSync(fb, bufferB, nb, na - nb, null);
          if (n === 0) break;
          nb += n;
        }
        if (na !== nb || !bufferA.subarray(0, na).equals(bufferB.subarray(0, nb))) return false;
        if (na === 0) return readSync(fb, bufferB, 0, 1, null) === 0;
      }
    } finally {
      closeSync(fb);
    }
  } finally {
    closeSync(fa);
  }
}

/**
 * Reads every extended attribute under `root` in one `getfattr` run (Debian package
 * `attr`): all namespaces the caller may see, symlinks not followed. Only files that
 * have attributes appear in the index.
 */
export async function readXattrs(root: string, signal?: AbortSignal): Promise<XattrIndex> {
  const result = await runProgram('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', root], {
    signal,
    packageName: 'attr',
  });
  if (result.code !== 0) {
    throw new InternalError(`cannot read the extended attributes under ${root}: ${result.stderr.trim()}`);
  }
  const index: XattrIndex = new Map();
  let current: Map<string, Buffer> | undefined;
  for (const line of result.stdout.toString('utf8').split('\n')) {
    if (line.startsWith('# file: ')) {
      const path = unescapeDumpPath(line.slice('# file: '.length));
      const relative = path === root ? '' : path.startsWith(`${root}/`) ? path.slice(root.length + 1) : undefined;
      current = relative === undefined ? undefined : new Map();
      if (relative !== undefined) index.set(relative, current!);
    } else if (current && line.includes('=')) {
      const equals = line.indexOf('=');
      const value = line.slice(equals + 1);
      current.set(line.slice(0, equals), value.startsWith('0x') ? Buffer.from(value.slice(2), 'hex') : Buffer.from(value));
    }
  }
  return index;
}

/** Whether two xattr sets (either may be absent) are equal. */
export function sameXattrs(a: Map<string, Buffer> | undefined, b: Map<string, Buffer> | undefined): boolean {
  const sizeA = a?.size ?? 0;
  if (sizeA !== (b?.size ?? 0)) return false;
  if (sizeA === 0) return true;
  for (const [name, value] of a!) {
    const other = b!.get(name);
    if (!other || !other.equals(value)) return false;
  }
  return true;
}

/** The real path of a tree root; `NotFound` naming its role (`upper`, `lower`…) when missing. */
export async function treeRoot(path: string, role: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    throw new NotFoundError(`${role} directory ${path} does not exist`, { cause: err });
  }
}
