import { chmodSync, lchownSync, lstatSync, lutimesSync } from 'node:fs';
import { InternalError, InvalidArgumentError } from '@berth/errdefs';
import { runProgram } from '@berth/program';
import type { RootedTree } from './rooted-tree.js';
import { shellQuote } from './shell-quote.js';
import { escapeDumpPath } from './xattr-dump.js';

/** A device node or fifo waiting to be created. */
export interface PendingNode {
  kind: 'c' | 'b' | 'p';
  major: number;
  minor: number;
  mode: number;
  /** `undefined` when ownership is not preserved. */
  owner: { uid: number; gid: number } | undefined;
  atime: number;
  mtime: number;
}

/** setfattr failures docker ignores too: file systems without xattrs, namespaces we may not write. */
const ignorableXattrError = /Operation not supported|Operation not permitted/;

/**
 * The part of a layer Node cannot write itself: device nodes and fifos (no `mknod`)
 * and extended attributes (no `setxattr`). They are queued by physical path and done in
 * one `sh` (one `mknod` per node) and one `setfattr --restore` per flush, instead of a
 * process per entry. Flush before anything needs a queued node to exist, and at the
 * end of the layer before directory times are set (creating a node touches its
 * directory's mtime). Paths are re-resolved inside the root at flush time, so a
 * directory replaced by a symlink meanwhile can never redirect a queued write.
 */
export class SpecialFiles {
  private readonly nodes = new Map<string, PendingNode>();
  private readonly xattrs = new Map<string, Map<string, Buffer>>();

  constructor(private readonly tree: RootedTree) {}

  /** Whether a node is queued at `physical`. */
  hasNode(physical: string): boolean {
    return this.nodes.has(physical);
  }

  /** Whether anything is queued. */
  get empty(): boolean {
    return this.nodes.size === 0 && this.xattrs.size === 0;
  }

  /** Queues a device node or fifo. */
  addNode(physical: string, node: PendingNode): void {
    this.nodes.set(physical, node);
  }

  /** Queues extended attributes for the file at `physical` (merged with earlier ones). */
  addXattrs(physical: string, attributes: Map<string, Buffer>): void {
    const existing = this.xattrs.get(physical);
    if (existing) for (const [name, value] of attributes) existing.set(name, value);
    else this.xattrs.set(physical, new Map(attributes));
  }

  /** Forgets what was queued for `physical` and below it: the layer replaced or removed that path. */
  drop(physical: string): void {
    this.nodes.delete(physical);
    this.xattrs.delete(physical);
    const prefix = `${physical}/`;
    for (const queued of [this.nodes, this.xattrs]) {
      for (const path of queued.keys()) if (path.startsWith(prefix)) queued.delete(path);
    }
  }

  /** Creates the queued nodes, then sets the queued attributes. */
  async flush(signal?: AbortSignal): Promise<void> {
    if (this.nodes.size > 0) await this.createNodes(signal);
    if (this.xattrs.size > 0) await this.setXattrs(signal);
  }

  /** The absolute path of `physical` if its parent still resolves to a directory inside the root. */
  private locate(physical: string): string | undefined {
    const slash = physical.lastIndexOf('/');
    const parent = this.tree.findDir(slash === -1 ? '' : physical.slice(0, slash));
    if (parent === undefined) return undefined;
    const base = physical.slice(slash + 1);
    return this.tree.abs(parent === '' ? base : `${parent}/${base}`);
  }

  private async createNodes(signal: AbortSignal | undefined): Promise<void> {
    const nodes = [...this.nodes].flatMap(([physical, node]) => {
      const path = this.locate(physical);
      return path === undefined ? [] : [{ path, node }];
    });
    this.nodes.clear();
    const script = nodes
      .map(({ path, node }) => {
        const numbers = node.kind === 'p' ? '' : ` ${node.major} ${node.minor}`;
        return `mknod -m ${(node.mode & 0o777).toString(8)} ${shellQuote(path)} ${node.kind}${numbers}\n`;
      })
      .join('');
    const result = await runProgram('sh', ['-e', '-s'], { input: `set -e\n${script}`, signal, packageName: 'coreutils' });
    if (result.code !== 0) {
      throw new InvalidArgumentError(`cannot create the device nodes and fifos of the layer: ${result.stderr.trim()}`);
    }
    // mknod just made these paths, so chmod (which follows symlinks) cannot be redirected.
    for (const { path, node } of nodes) {
      if (node.owner) lchownSync(path, node.owner.uid, node.owner.gid);
      if (!lstatSync(path).isSymbolicLink()) chmodSync(path, node.mode);
      lutimesSync(path, node.atime, node.mtime);
    }
  }

  private async setXattrs(signal: AbortSignal | undefined): Promise<void> {
    let dump = '';
    for (const [physical, attributes] of this.xattrs) {
      const path = this.locate(physical);
      if (path === undefined) continue;
      dump += `# file: ${escapeDumpPath(path)}\n`;
      for (const [name, value] of attributes) dump += `${name}=0x${value.toString('hex')}\n`;
      dump += '\n';
    }
    this.xattrs.clear();
    if (dump === '') return;
    // -h: never follow a symlink at the final component.
    const result = await runProgram('setfattr', ['-h', '--restore=-'], { input: dump, signal, packageName: 'attr' });
    if (result.code === 0) return;
    const errors = result.stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !ignorableXattrError.test(line));
    if (errors.length > 0) {
      throw new InternalError(`cannot set the extended attributes of the layer: ${errors.join('; ')}`);
    }
  }
}
