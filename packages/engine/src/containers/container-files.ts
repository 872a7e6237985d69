import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { getArchive, putArchive, statPath } from '@berth/container';
import { IMAGE_PARENT_LABEL, changes, diffDirectories, exportSnapshot, layerFromTar, mutate, writeImageToStore } from '@berth/image';
import type { FileChange } from '@berth/image';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { emitContainerEvent, type ContainerContext } from './container-context.js';
import { useRootfs } from './container-rootfs-use.js';
import type { ContainerEntry } from './container-table.js';
import type { ArchiveTarget } from '../images/image-types.js';
import type { ContainerCommitOptions, ContainerPathStat } from './container-types.js';

/**
 * Runs `use` with the container's root file system as a directory, mounting it for the
 * duration when the container is not running (a running one has it mounted already).
 */
async function withRootfs<T>(context: ContainerContext, entry: ContainerEntry, use: (rootfs: string) => Promise<T>): Promise<T> {
  const rootfs = await useRootfs(context, entry);
  try {
    return await use(rootfs.rootfs);
  } finally {
    await rootfs.release();
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

/** `docker cp` out: a tar of `path` (never following the container's symlinks onto the host). */
export async function archiveOf(context: ContainerContext, entry: ContainerEntry, path: string): Promise<{ stat: ContainerPathStat; archive: Readable }> {
  const rootfs = await useRootfs(context, entry);
  let result;
  try {
    result = await getArchive(rootfs.rootfs, path, { containerName: entry.record.name });
  } catch (err) {
    await rootfs.release();
    throw err;
  }
  // The tar reads lazily from the mount: release it when the stream is done.
  result.tar.once('close', () => void rootfs.release());
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
  const tar = await exportSnapshot(context.engine.components.snapshotter, entry.record.snapshotKey);
  await pipeline(tar, typeof target === 'string' ? createWriteStream(target) : target);
  emitContainerEvent(context, entry, 'export');
}

/** `docker diff`: what changed against the image. */
export async function changesOf(context: ContainerContext, entry: ContainerEntry): Promise<FileChange[]> {
  return withRootfs(context, entry, (upper) => withParent(context, entry, (lower) => changes(lower, upper)));
}

/**
 * `docker commit`: the container's changes as a new layer on its image, with `changes`
 * applied to the runtime defaults and the parent recorded. The container is paused while
 * its layer is read when running (unless `pause: false`). Event: `commit`.
 */
export async function commitContainer(context: ContainerContext, entry: ContainerEntry, options: ContainerCommitOptions = {}): Promise<{ id: string }> {
  const { engine } = context;
  const image = await engine.images.resolve(entry.record.imageId);
  const pause = (options.pause ?? true) && entry.record.state.status === 'running';
  if (pause) await context.host.runtime.pause(entry.record.id);
  let target;
  try {
    target = await withRootfs(context, entry, (upper) =>
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
    );
  } finally {
    if (pause) await context.host.runtime.resume(entry.record.id);
  }
  const resolved = await engine.images.putImage({
    target,
    ...(options.reference ? { reference: options.reference } : {}),
    labels: { [IMAGE_PARENT_LABEL]: image.id },
  });
  emitContainerEvent(context, entry, 'commit', { comment: options.comment ?? '', imageID: resolved.id });
  return { id: resolved.id };
}
