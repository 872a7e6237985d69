import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { InvalidArgumentError } from '@berth/errdefs';
import type { WhiteoutFormat } from '../../snapshot/snapshotter.js';
import { fsError } from './fs-errors.js';
import { RootedTree, cleanArchivePath } from './rooted-tree.js';
import { SpecialFiles } from './special-files.js';
import { WhiteoutDevices } from './whiteout-devices.js';
import type { TarEntry } from './tar-header.js';
import type { TarEntrySink } from './tar-reader.js';

const whiteoutPrefix = '.wh.';
const opaqueWhiteout = '.wh..wh..opq';
/** Layer xattrs never written: overlayfs's own bookkeeping, which a layer must not forge. */
const reservedXattrPrefix = 'trusted.overlay.';
const createFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;

/** How a {@link LayerWriter} writes. */
export interface LayerWriterOptions {
  whiteouts: WhiteoutFormat;
  /** lchown every entry to its uid/gid (needs root). */
  preserveOwnership: boolean;
  /** Create char/block devices; skipped without root, as docker does in a user namespace. */
  createDevices: boolean;
  /**
   * Overlay mode: lower directories (top-most first) whose directory metadata implicit
   * parents copy. A promise defers the copy to {@link LayerWriter.finish}: the layer can
   * then be written before its lower layers exist (parallel unpacking).
   */
  lowerDirs?: string[] | Promise<string[]> | undefined;
  signal?: AbortSignal | undefined;
}

interface DirectoryMetadata {
  mode: number;
  atime: number;
  mtime: number;
}

/** The process umask, read once (Node can only read it racily through `process.umask()`). */
const umask: number = (() => {
  try {
    const match = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? parseInt(match[1]!, 8) : 0o777;
  } catch {
    return 0o777;
  }
})();

function join(parent: string, base: string): string {
  return parent === '' ? base : `${parent}/${base}`;
}

function splitParent(path: string): [string, string] {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? ['', path] : [path.slice(0, slash), path.slice(slash + 1)];
}

/**
 * Writes the entries of one layer tar into a directory tree: the {@link TarEntrySink}
 * behind `applyLayer`. Every path goes through a {@link RootedTree}, so nothing is ever
 * written outside the root. File system calls are synchronous on purpose: each takes
 * microseconds, far less than a thread-pool round trip, and decompression runs off the
 * main thread meanwhile. Lifecycle: feed entries, then `finish()` (queued device nodes
 * and xattrs, then directory modes and times) — or `abort()` after an error.
 */
export class LayerWriter implements TarEntrySink {
  private readonly tree: RootedTree;
  private readonly special: SpecialFiles;
  /** Physical paths this layer wrote: whiteouts and opaque markers never hide them. */
  private readonly unpacked = new Set<string>();
  /** Directory modes and times, set at the end because writing children changes them. */
  private readonly directories = new Map<string, DirectoryMetadata>();
  private file: { fd: number; name: string; chmod: number | undefined; atime: number; mtime: number } | undefined;
  private readonly whiteoutDevices: WhiteoutDevices;
  /** Implicit parents whose lower-directory metadata is copied once deferred lower dirs are known. */
  private readonly deferredImplicit: string[] = [];

  constructor(
    root: string,
    private readonly options: LayerWriterOptions,
  ) {
    this.tree = new RootedTree(root, (physical) => this.onImplicitDirectory(physical));
    this.special = new SpecialFiles(this.tree);
    this.whiteoutDevices = new WhiteoutDevices(root, options.signal);
  }

  entry(entry: TarEntry): void | Promise<void> {
    try {
      const pending = this.write(entry);
      return pending?.catch((err: unknown) => {
        throw fsError(err, `cannot extract "${entry.name}"`);
      });
    } catch (err) {
      throw fsError(err, `cannot extract "${entry.name}"`);
    }
  }

  data(chunk: Buffer): void {
    const file = this.file;
    // Data of an entry that is not written (a whiteout marker with a body) is skipped.
    if (!file) return;
    try {
      let written = 0;
      while (written < chunk.length) written += writeSync(file.fd, chunk, written, chunk.length - written);
    } catch (err) {
      throw fsError(err, `cannot write "${file.name}"`);
    }
  }

  entryEnd(): void {
    const file = this.file;
    if (!file) return;
    this.file = undefined;
    try {
      if (file.chmod !== undefined) fchmodSync(file.fd, file.chmod);
      futimesSync(file.fd, file.atime, file.mtime);
    } catch (err) {
      throw fsError(err, `cannot set the mode and times of "${file.name}"`);
    } finally {
      closeSync(file.fd);
    }
  }

  /** Completes the layer: queued nodes and xattrs, then directory modes and times. */
  async finish(): Promise<void> {
    try {
      if (this.deferredImplicit.length > 0) await this.copyDeferredLowerMetadata();
      if (!this.special.empty) await this.special.flush(this.options.signal);
      for (const [physical, metadata] of this.directories) {
        const path = this.locate(physical);
        if (path === undefined || !lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) continue;
        chmodSync(path, metadata.mode);
        lutimesSync(path, metadata.atime, metadata.mtime);
      }
    } catch (err) {
      throw fsError(err, 'cannot complete the layer');
    } finally {
      this.whiteoutDevices.dispose();
    }
  }

  /** Releases what an unfinished layer holds (the open file, the whiteout template). */
  abort(): void {
    if (this.file) {
      const { fd } = this.file;
      this.file = undefined;
      try {
        closeSync(fd);
      } catch {
        // Already failing; the descriptor is gone either way.
      }
    }
    this.whiteoutDevices.dispose();
  }

  private write(entry: TarEntry): void | Promise<void> {
    if (entry.name.includes('\0') || entry.linkname.includes('\0')) {
      throw new InvalidArgumentError(`layer entry "${entry.name}" has a NUL byte in its name`);
    }
    const name = cleanArchivePath(entry.name);
    if (name === undefined) {
      throw new InvalidArgumentError(`layer entry "${entry.name}" points outside the target directory`);
    }
    if (name === '') {
      if (entry.type !== 'directory') throw new InvalidArgumentError(`layer entry "${entry.name}" would replace the root`);
      this.writeDirectoryMetadata('', entry);
      return;
    }
    const [parentName, base] = splitParent(name);
    if (base.startsWith(whiteoutPrefix)) return this.whiteout(parentName, base);
    const physical = join(this.tree.ensureDir(parentName), base);
    // A node queued at this path by an earlier entry is replaced by this one.
    if (this.special.hasNode(physical)) this.special.drop(physical);
    this.unpacked.add(physical);
    switch (entry.type) {
      case 'file':
        return this.writeFile(physical, entry);
      case 'directory':
        return this.writeDirectory(physical, entry);
      case 'symlink':
        return this.writeSymlink(physical, entry);
      case 'hardlink':
        return this.writeHardlink(physical, entry);
      case 'char':
      case 'block':
      case 'fifo':
        return this.queueNode(physical, entry);
    }
  }

  /**
   * A parent the layer needed but did not carry was created (0755, owned by us). In an
   * overlay upper it would hide the lower directory's owner and mode in the merged view,
   * so it copies them from the lower directory it shadows, as containerd does.
   */
  private onImplicitDirectory(physical: string): void {
    this.unpacked.add(physical);
    const { lowerDirs } = this.options;
    if (lowerDirs === undefined) return;
    if (Array.isArray(lowerDirs)) this.copyLowerMetadata(physical, lowerDirs);
    else this.deferredImplicit.push(physical);
  }

  /**
   * Deferred lower dirs: an implicit parent that a later entry of the layer made explicit
   * keeps the layer's metadata; one still standing copies its lower directory's, as it
   * would have at creation.
   */
  private async copyDeferredLowerMetadata(): Promise<void> {
    const lowerDirs = await this.options.lowerDirs!;
    for (const physical of this.deferredImplicit) {
      if (this.directories.has(physical)) continue;
      const path = this.locate(physical);
      if (path === undefined || path !== this.tree.abs(physical)) continue;
      if (!lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) continue;
      this.copyLowerMetadata(physical, lowerDirs);
    }
  }

  private copyLowerMetadata(physical: string, lowerDirs: string[]): void {
    for (const lower of lowerDirs) {
      const stat = lstatSync(`${lower}/${physical}`, { throwIfNoEntry: false });
      if (stat === undefined) continue;
      if (!stat.isDirectory()) return;
      if (this.options.preserveOwnership) lchownSync(this.tree.abs(physical), stat.uid, stat.gid);
      this.directories.set(physical, { mode: stat.mode & 0o7777, atime: stat.atimeMs / 1000, mtime: stat.mtimeMs / 1000 });
      return;
    }
  }

  private writeFile(physical: string, entry: TarEntry): void {
    const path = this.tree.abs(physical);
    let fd: number;
    try {
      fd = openSync(path, createFlags, entry.mode & 0o777);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      this.removeExisting(physical);
      fd = openSync(path, createFlags, entry.mode & 0o777);
    }
    // chown and (without CAP_FSETID) writing clear setuid/setgid, and open() applied the
    // umask: so the mode is set once the data is written, when either matters.
    const chmod = (entry.mode & 0o7000) !== 0 || (entry.mode & umask) !== 0 ? entry.mode : undefined;
    this.file = { fd, name: entry.name, chmod, atime: entry.atime ?? entry.mtime, mtime: entry.mtime };
    if (this.options.preserveOwnership) fchownSync(fd, entry.uid, entry.gid);
    this.queueXattrs(physical, entry);
  }

  private writeDirectory(physical: string, entry: TarEntry): void {
    const path = this.tree.abs(physical);
    try {
      mkdirSync(path, 0o700);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // An existing directory is merged (docker semantics); anything else is replaced.
      if (!lstatSync(path).isDirectory()) {
        this.removeExisting(physical);
        mkdirSync(path, 0o700);
      }
    }
    this.tree.remember(physical);
    this.writeDirectoryMetadata(physical, entry);
  }

  private writeDirectoryMetadata(physical: string, entry: TarEntry): void {
    if (this.options.preserveOwnership) lchownSync(this.tree.abs(physical), entry.uid, entry.gid);
    this.directories.set(physical, { mode: entry.mode, atime: entry.atime ?? entry.mtime, mtime: entry.mtime });
    this.queueXattrs(physical, entry);
  }

  private writeSymlink(physical: string, entry: TarEntry): void {
    const path = this.tree.abs(physical);
    try {
      symlinkSync(entry.linkname, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      this.removeExisting(physical);
      symlinkSync(entry.linkname, path);
    }
    if (this.options.preserveOwnership) lchownSync(path, entry.uid, entry.gid);
    lutimesSync(path, entry.atime ?? entry.mtime, entry.mtime);
    this.queueXattrs(physical, entry);
  }

  private writeHardlink(physical: string, entry: TarEntry): void | Promise<void> {
    const targetName = cleanArchivePath(entry.linkname);
    if (targetName === undefined) {
      throw new InvalidArgumentError(`hardlink "${entry.name}" points outside the target directory ("${entry.linkname}")`);
    }
    const [targetParentName, targetBase] = splitParent(targetName);
    const targetParent = targetName === '' ? undefined : this.tree.findDir(targetParentName);
    if (targetParent === undefined) {
      throw new InvalidArgumentError(`hardlink "${entry.name}" points to "${entry.linkname}", which does not exist`);
    }
    const target = join(targetParent, targetBase);
    if (target === physical) return;
    if (this.special.hasNode(target)) return this.special.flush(this.options.signal).then(() => this.link(physical, target, entry));
    this.link(physical, target, entry);
  }

  private link(physical: string, target: string, entry: TarEntry): void {
    const targetPath = this.tree.abs(target);
    const stat = lstatSync(targetPath, { throwIfNoEntry: false });
    if (stat === undefined || stat.isDirectory()) {
      const what = stat ? 'a directory' : 'missing';
      throw new InvalidArgumentError(`hardlink "${entry.name}" points to "${entry.linkname}", which is ${what}`);
    }
    const path = this.tree.abs(physical);
    try {
      linkSync(targetPath, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      this.removeExisting(physical);
      linkSync(targetPath, path);
    }
  }

  private queueNode(physical: string, entry: TarEntry): void {
    if (entry.type !== 'fifo' && !this.options.createDevices) return;
    this.removeExisting(physical);
    this.special.addNode(physical, {
      kind: entry.type === 'fifo' ? 'p' : entry.type === 'char' ? 'c' : 'b',
      major: entry.devmajor,
      minor: entry.devminor,
      mode: entry.mode,
      owner: this.options.preserveOwnership ? { uid: entry.uid, gid: entry.gid } : undefined,
      atime: entry.atime ?? entry.mtime,
      mtime: entry.mtime,
    });
    this.queueXattrs(physical, entry);
  }

  private queueXattrs(physical: string, entry: TarEntry): void {
    if (!entry.xattrs) return;
    const allowed = new Map([...entry.xattrs].filter(([name]) => !name.startsWith(reservedXattrPrefix)));
    if (allowed.size > 0) this.special.addXattrs(physical, allowed);
  }

  private whiteout(parentName: string, base: string): void | Promise<void> {
    const overlay = this.options.whiteouts === 'overlay';
    if (base === opaqueWhiteout) {
      const directory = this.tree.ensureDir(parentName);
      if (overlay) this.special.addXattrs(directory, new Map([['trusted.overlay.opaque', Buffer.from('y')]]));
      else this.clearOpaque(directory);
      return;
    }
    // Other `.wh..wh.` names are aufs bookkeeping (`.wh..wh.plnk`…), never content.
    if (base.startsWith(`${whiteoutPrefix}${whiteoutPrefix}`)) return;
    const hidden = base.slice(whiteoutPrefix.length);
    if (hidden === '' || hidden === '.' || hidden === '..') {
      throw new InvalidArgumentError(`layer has a malformed whiteout "${join(parentName, base)}"`);
    }
    const parent = overlay ? this.tree.ensureDir(parentName) : this.tree.findDir(parentName);
    if (parent === undefined) return; // nothing below to hide
    const physical = join(parent, hidden);
    // Whiteouts hide lower layers only, never what this layer wrote.
    if (this.unpacked.has(physical)) return;
    this.removeExisting(physical);
    if (!overlay) return;
    return this.whiteoutDevices.create(this.tree.abs(physical));
  }

  /** Oci-mode opaque directory: removes every child this layer did not write. */
  private clearOpaque(directory: string): void {
    for (const child of readdirSync(this.tree.abs(directory), { withFileTypes: true })) {
      const physical = join(directory, child.name);
      if (!this.unpacked.has(physical)) this.removeExisting(physical);
      else if (child.isDirectory()) this.clearOpaque(physical);
    }
  }

  /** Removes whatever is at `physical` (recursively for a directory); a no-op when nothing is. */
  private removeExisting(physical: string): void {
    const path = this.tree.abs(physical);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return;
    // What was queued for the removed file (or below the removed directory) is moot.
    if (!this.special.empty) this.special.drop(physical);
    if (stat.isDirectory()) {
      rmSync(path, { recursive: true, force: true });
      this.tree.forget();
    } else {
      unlinkSync(path);
      if (stat.isSymbolicLink()) this.tree.forget();
    }
  }

  /** The absolute path of `physical` if its parent still resolves inside the root. */
  private locate(physical: string): string | undefined {
    if (physical === '') return this.tree.root;
    const [parentName, base] = splitParent(physical);
    const parent = this.tree.findDir(parentName);
    return parent === undefined ? undefined : this.tree.abs(join(parent, base));
  }
}
