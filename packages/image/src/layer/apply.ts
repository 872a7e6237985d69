import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import type { Digest, LayerCompression } from '@berth/spec';
import type { WhiteoutFormat } from '../snapshot/snapshotter.js';
import { decompress } from './decompress.js';
import { LayerWriter } from './internal/layer-writer.js';
import { TarReader } from './internal/tar-reader.js';

/** How {@link applyLayer} reads and writes a layer. */
export interface ApplyLayerOptions {
  /** Compression of `source`; `auto` (the default) sniffs the magic bytes. */
  compression?: LayerCompression | 'auto';
  /**
   * How deletions are written: `oci` (default) deletes the lower files inside `target`,
   * which holds the whole lower tree (copying snapshotter); `overlay` writes overlayfs
   * whiteouts (char device 0:0, `trusted.overlay.opaque=y`) into an overlay upper dir.
   */
  whiteouts?: WhiteoutFormat;
  /**
   * Overlay mode only: the snapshot's lower directories, top-most first (as in
   * `lowerdir=`). A parent directory the layer needs but does not carry is then created
   * in the upper dir with the owner, mode and times of the lower directory it shadows
   * (as containerd does), instead of root-owned 0755 — which would otherwise show
   * through in the merged view. A promise defers that copy to the end of the layer, so a
   * layer can be applied before its lower layers are (parallel unpacking): the apply
   * resolves only once the promise has.
   */
  lowerDirs?: string[] | Promise<string[]>;
  /**
   * `preserve` chowns every entry to the uid/gid in the tar (needs root); `ignore` leaves
   * files owned by the caller. Default: `preserve` when running as root.
   */
  ownership?: 'preserve' | 'ignore';
  signal?: AbortSignal;
}

/** What applying a layer measured. */
export interface AppliedLayer {
  /** sha256 of the uncompressed tar: the layer's DiffID in the image config. */
  diffId: Digest;
  /** Uncompressed bytes. */
  size: number;
}

/**
 * Applies a layer tar (compressed or not) to directory `target`, streaming: file contents
 * go to disk as they arrive and the DiffID is hashed on the way. Handles every tar entry
 * type, ownership, modes including setuid/setgid/sticky, mtimes (directories last),
 * PAX xattrs, hardlinks, and OCI whiteouts in either {@link WhiteoutFormat}. Existing
 * directories are merged, anything else at an entry's path is replaced.
 *
 * Nothing is ever written outside `target`: absolute names are taken relative to it,
 * names that climb out with `..` are refused, and every parent directory is resolved
 * inside `target` as if it were the root, so a symlink the layer made (`a -> /etc`)
 * can only redirect writes to `target/etc`. Hardlink targets are resolved the same way;
 * symlinks are created as they are and never followed.
 *
 * Rejects with `InvalidArgument` for corrupt or truncated compression, input that is not
 * a tar, and unsafe or inconsistent entries; with `NotFound` if `target` is missing.
 * After a failure `target` is partly written: discard it.
 */
export async function applyLayer(source: Readable, target: string, options: ApplyLayerOptions = {}): Promise<AppliedLayer> {
  const { signal } = options;
  signal?.throwIfAborted();
  const root = await resolveTarget(target);
  const isRoot = process.getuid?.() === 0;
  const writer = new LayerWriter(root, {
    whiteouts: options.whiteouts ?? 'oci',
    preserveOwnership: (options.ownership ?? (isRoot ? 'preserve' : 'ignore')) === 'preserve',
    createDevices: isRoot,
    lowerDirs: options.whiteouts === 'overlay' ? options.lowerDirs : undefined,
    signal,
  });
  const reader = new TarReader(writer);
  const hash = createHash('sha256');
  let size = 0;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      reader.write(chunk).then(() => callback(), callback);
    },
    final(callback) {
      try {
        reader.finish();
      } catch (err) {
        callback(err as Error);
        return;
      }
      writer.finish().then(() => callback(), callback);
    },
  });
  try {
    await pipeline(decompress(source, options.compression ?? 'auto'), sink, { signal });
  } catch (err) {
    writer.abort();
    throw err;
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size };
}

async function resolveTarget(target: string): Promise<string> {
  let root: string;
  try {
    root = await realpath(target);
  } catch (err) {
    throw new NotFoundError(`cannot apply a layer to ${target}: the directory does not exist`, { cause: err });
  }
  if (!(await stat(root)).isDirectory()) {
    throw new InvalidArgumentError(`cannot apply a layer to ${target}: not a directory`);
  }
  return root;
}
