import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { InvalidArgumentError } from '@berth/errdefs';

/** Linux's limit on symlinks followed during one lookup. */
const maxSymlinkFollows = 40;

/**
 * Cleans an archive path into a path relative to the root: `/` and `./` prefixes go,
 * `.` and empty components go, `..` climbs. Absolute paths are taken as relative to the
 * root (where `..` stops at the root, like a chroot); a relative path that climbs out
 * returns `undefined` (docker calls it a breakout and refuses the layer). `''` is the root.
 */
export function cleanArchivePath(raw: string): string | undefined {
  const absolute = raw.startsWith('/');
  const out: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) {
        if (absolute) continue;
        return undefined;
      }
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.join('/');
}

/**
 * Resolves directories inside a root as the kernel would if the root were `/`: symlinks
 * met on the way are followed, but an absolute target restarts at the root and `..`
 * never climbs above it (containerd's `fs.RootPath`). Writing through the returned
 * physical path can therefore never leave the root, whatever symlinks the layer made.
 *
 * Results are cached by logical path, so a layer of 28k files costs one `lstat` per
 * directory rather than one per path component per file. Whoever removes or replaces a
 * directory or symlink inside the root must call {@link RootedTree.forget}.
 */
export class RootedTree {
  private readonly known = new Map<string, string>([['', '']]);

  /**
   * @param root absolute, symlink-free path of the root directory.
   * @param onCreate told of each directory created on the way (relative path).
   */
  constructor(
    readonly root: string,
    private readonly onCreate: (physical: string) => void = () => {},
  ) {}

  /** The absolute path of a physical relative path. */
  abs(physical: string): string {
    return physical === '' ? this.root : `${this.root}/${physical}`;
  }

  /** Resolves directory `logical` (a cleaned relative path), creating what is missing (mode 0755). */
  ensureDir(logical: string): string {
    return this.resolve(logical, true)!;
  }

  /** Resolves directory `logical`; `undefined` when it (or a parent) does not exist. */
  findDir(logical: string): string | undefined {
    return this.resolve(logical, false);
  }

  /** Records that `physical` is now a real directory (just created or checked by the caller). */
  remember(physical: string): void {
    this.known.set(physical, physical);
  }

  /** Drops every cached resolution: a directory or symlink inside the root was removed or replaced. */
  forget(): void {
    this.known.clear();
    this.known.set('', '');
  }

  private resolve(logical: string, create: boolean): string | undefined {
    const hit = this.known.get(logical);
    if (hit !== undefined) return hit;
    const slash = logical.lastIndexOf('/');
    const parent = this.resolve(slash === -1 ? '' : logical.slice(0, slash), create);
    if (parent === undefined) return undefined;
    const physical = this.walk(parent, logical.slice(slash + 1), create, logical);
    if (physical !== undefined) this.known.set(logical, physical);
    return physical;
  }

  /** Resolves one component below an already resolved physical directory. */
  private walk(start: string, component: string, create: boolean, logical: string): string | undefined {
    const stack = start === '' ? [] : start.split('/');
    const queue = [component];
    let follows = 0;
    while (queue.length > 0) {
      const part = queue.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        stack.pop();
        continue;
      }
      stack.push(part);
      const physical = stack.join('/');
      if (this.known.get(physical) === physical) continue;
      const path = this.abs(physical);
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (stat === undefined) {
        if (!create) return undefined;
        mkdirSync(path, 0o755);
        this.onCreate(physical);
        this.known.set(physical, physical);
      } else if (stat.isDirectory()) {
        this.known.set(physical, physical);
      } else if (stat.isSymbolicLink()) {
        follows += 1;
        if (follows > maxSymlinkFollows) {
          throw new InvalidArgumentError(`cannot resolve "${logical}" in the layer: too many levels of symbolic links`);
        }
        stack.pop();
        const target = readlinkSync(path);
        if (target.startsWith('/')) stack.length = 0;
        queue.unshift(...target.split('/'));
      } else {
        throw new InvalidArgumentError(`cannot resolve "${logical}" in the layer: "${physical}" is not a directory`);
      }
    }
    return stack.join('/');
  }
}
