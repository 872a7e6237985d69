import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { getArchive, putArchive, statPath } from '@berth/container';
import { IMAGE_PARENT_LABEL, changes, diffDirectories, exportSnapshot, layerFromTar, mutate, writeImageToStore } from '@berth/image';
import type { FileChange } from '@berth/image';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { emitContainerEvent, type ContainerContext } from './container-context.js';
import { freezeForFiles } from './container-freeze.js';
import { type RootfsUse, useRootfs } from './container-rootfs-use.js';
import type { ContainerEntry } from './container-table.js';
import type { ArchiveTarget } from '../images/image-types.js';
import type { ContainerCommitOptions, ContainerPathStat } from './container-types.js';

/**
 * Runs `use` with the container's root file system as a directory, mounting it for the
 * duration when the container is not running (a running one has it mounted already). The
 * container is held meanwhile ({@link freezeForFiles}): its processes frozen, its other
 * operations waiting.
 */
async function withRootfs<T>(
  context: ContainerContext,
  entry: ContainerEntry,
  use: (rootfs: string) => Promise<T>,
  options: { freeze?: boolean } = {},
): Promise<T> {
  const freeze = await freezeForFiles(context, entry, options);
  try {
    const rootfs = await useRootfs(context, entry);
    try {
      return await use(rootfs.rootfs);
    } finally {
      await rootfs.release();
    }
  } finally {
    await freeze.release();
  }
}

/** Runs `use` with the container's image (its parent snapshot) as a directory, or `undefined` for an image without layers. */
async function withParent<T>(context: ContainerContext, entry: ContainerEntry, use: (lower: string | undefined) => Promise<T>): Promise<T> {
  const parent = entry.record.snapshotParent;
  if (!parent) return use(undefined);
  const { snapshotter } = context.engine.components;
  const viewKey = `view-${randomBytes(6).toString('hex')}`;
  const mounts = await snapshotter.view(viewKey, parent);
  const target = join(entry.record.bundle, viewKey);
  try {
    return await use(await context.host.mountRootfs(mounts, target));
  } finally {
    await context.host.unmountRootfs(target).catch(() => undefined);
    await snapshotter.remove(viewKey).catch(() => undefined);
  }
}

function toPathStat(stat: { name: string; size: number; mode: number; mtime: Date; linkTarget: string }): ContainerPathStat {
  return { name: stat.name, size: stat.size, mode: stat.mode, mtime: stat.mtime, linkTarget: stat.linkTarget };
}

/**
 * `docker cp` out: a tar of `path` (never following the container's symlinks onto the host).
 * The tar is read lazily: a running (or paused) container stays frozen and held, its other
 * operations waiting, until the stream ends or is destroyed; a stopped one is let go at once.
 */
export async function archiveOf(context: ContainerContext, entry: ContainerEntry, path: string): Promise<{ stat: ContainerPathStat; archive: Readable }> {
  const freeze = await freezeForFiles(context, entry);
  let rootfs: RootfsUse | undefined;
  let result;
  try {
    rootfs = await useRootfs(context, entry);
    result = await getArchive(rootfs.rootfs, path, { containerName: entry.record.name });
  } catch (err) {
    await rootfs?.release();
    await freeze.release();
    throw err;
  }
  // Without processes nothing races the reads; removing it meanwhile unmounts under the stream.
  if (!freeze.live) await freeze.release();
  const mounted = rootfs;
  result.tar.once('close', () => void mounted.release().finally(() => freeze.release()).catch(() => undefined));
  return { stat: toPathStat(result.stat), archive: result.tar };
}

/** `docker cp` stat (`HEAD /containers/{id}/archive`). */
export async function statOf(context: ContainerContext, entry: ContainerEntry, path: string): Promise<ContainerPathStat> {
  return withRootfs(context, entry, async (rootfs) => toPathStat(await statPath(rootfs, path, { containerName: entry.record.name })));
}

/** `docker cp` in: extracts a tar into directory `path`. */
export async function extractInto(context: ContainerContext, entry: ContainerEntry, path: string, archive: Readable, options: { noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
  await withRootfs(context, entry, (rootfs) => putArchive(rootfs, path, archive, { containerName: entry.record.name, ...options }));
}

/** `docker export`: the container's whole file system as a tar. Event: `export`. */
export async function exportContainer(context: ContainerContext, entry: ContainerEntry, target: ArchiveTarget): Promise<void> {
  const freeze = await freezeForFiles(context, entry);
  try {
    const tar = await exportSnapshot(context.engine.components.snapshotter, entry.record.snapshotKey);
    await pipeline(tar, typeof target === 'string' ? createWriteStream(target) : target);
  } finally {
    await freeze.release();
  }
  emitContainerEvent(context, entry, 'export');
}

/** `docker diff`: what changed against the image. */
export async function changesOf(context: ContainerContext, entry: ContainerEntry): Promise<FileChange[]> {
  return withRootfs(context, entry, (upper) => withParent(context, entry, (lower) => changes(lower, upper)));
}

/**
 * `docker commit`: the container's changes as a new layer on its image, with `changes`
 * applied to the runtime defaults and the parent recorded. A running container is frozen
 * (invisibly) while its layer is read, unless `pause: false`. Event: `commit`.
 */
export async function commitContainer(context: ContainerContext, entry: ContainerEntry, options: ContainerCommitOptions = {}): Promise<{ id: string }> {
  const { engine } = context;
  const image = await engine.images.resolve(entry.record.imageId);
  const target = await withRootfs(
    context,
    entry,
    (upper) =>
      withParent(context, entry, async (lower) => {
        // The layer's bytes are read twice (digest, then copy): keep the diff as a re-openable source.
        const layer = layerFromTar(() => diffDirectories(lower, upper), { compression: 'gzip' });
        let committed = mutate.appendLayers(image.image, {
          layer,
          history: {
            created: new Date().toISOString(),
            ...(options.author ? { author: options.author } : {}),
            ...(options.comment ? { comment: options.comment } : {}),
            created_by: [...entry.record.config.entrypoint, ...entry.record.config.cmd].join(' '),
          },
        });
        if (options.changes) committed = mutate.config(committed, options.changes);
        return writeImageToStore(committed, engine.components.content);
      }),
    { freeze: options.pause ?? true },
  );
  const resolved = await engine.images.putImage({
    target,
    ...(options.reference ? { reference: options.reference } : {}),
    labels: { [IMAGE_PARENT_LABEL]: image.id },
  });
  emitContainerEvent(context, entry, 'commit', { comment: options.comment ?? '', imageID: resolved.id });
  return { id: resolved.id };
}
