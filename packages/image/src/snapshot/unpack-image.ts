import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, isAlreadyExists, isNotFound } from '@berth/errdefs';
import type { Digest } from '@berth/spec';
import type { Image, Layer } from '../image.js';
import { applyLayer } from '../layer/apply.js';
import { chainIds } from './chain-id.js';
import type { Mount, Snapshotter } from './snapshotter.js';

/** Progress of {@link unpackImage}, one event per layer state change. */
export interface UnpackProgress {
  /** Index of the layer, 0 = bottom. */
  layer: number;
  diffId: Digest;
  /** Chain ID of the stack up to this layer: the name of its committed snapshot. */
  chainId: Digest;
  /** `skipped`: its snapshot already existed; `extracting`: being applied; `done`: committed. */
  state: 'skipped' | 'extracting' | 'done';
}

/** Options of {@link unpackImage}. */
export interface UnpackOptions {
  /** Aborts the unpack; the snapshot being written is removed, committed ones stay. */
  signal?: AbortSignal;
  /** Called as each layer is skipped, starts extracting, and is committed. */
  onProgress?: (event: UnpackProgress) => void;
}

/** Where an unpacked image's file system is. */
export interface UnpackResult {
  /** Chain ID of the whole layer stack; `undefined` for an image without layers. */
  chainId: Digest | undefined;
  /**
   * The committed snapshot holding the top layer — the parent to `prepare` a container's
   * root file system on (it is named by `chainId`); `undefined` for an image without layers
   * (prepare without a parent).
   */
  key: string | undefined;
}

/**
 * Unpacks `image` into `snapshotter`, bottom layer first, as one committed snapshot per
 * layer named by its chain ID. A layer whose chain ID is already committed is skipped —
 * images sharing bottom layers share their snapshots. Otherwise the layer is applied
 * into a fresh active snapshot (`extract-<random>-<chainId>`) on the previous one, its
 * digest checked against the config's diff ID (`InvalidArgument` on a mismatch), and
 * committed under its chain ID. On any failure the active snapshot is removed; committed
 * layers below stay for the next attempt. Concurrent unpacks of images sharing layers
 * are safe: when another unpack commits the same chain ID first, ours is discarded.
 * `await` means every layer is committed.
 */
export async function unpackImage(image: Image, snapshotter: Snapshotter, options: UnpackOptions = {}): Promise<UnpackResult> {
  const { signal, onProgress } = options;
  const layers = await image.layers();
  const diffIds = await Promise.all(layers.map((layer) => layer.diffId()));
  const chain = chainIds(diffIds);
  let parent: Digest | undefined;
  for (const [index, layer] of layers.entries()) {
    signal?.throwIfAborted();
    const chainId = chain[index]!;
    const diffId = diffIds[index]!;
    const event = (state: UnpackProgress['state']) => onProgress?.({ layer: index, diffId, chainId, state });
    if (await isCommitted(snapshotter, chainId)) {
      event('skipped');
    } else {
      event('extracting');
      await extractLayer(snapshotter, layer, { diffId, chainId, parent, signal });
      event('done');
    }
    parent = chainId;
  }
  return { chainId: parent, key: parent };
}

async function isCommitted(snapshotter: Snapshotter, name: string): Promise<boolean> {
  try {
    const info = await snapshotter.stat(name);
    if (info.kind !== 'committed') {
      throw new InvalidArgumentError(`snapshot ${name} exists but is ${info.kind}; a chain ID must name a committed snapshot`);
    }
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** The `lowerdir=` directories of an overlay mount, top-most first; none for other mounts. */
export function overlayLowerDirs(mounts: Mount[]): string[] {
  const option = mounts.find((m) => m.type === 'overlay')?.options.find((o) => o.startsWith('lowerdir='));
  return option ? option.slice('lowerdir='.length).split(':') : [];
}

/** Applies one layer into a new active snapshot on `parent` and commits it as `chainId`. */
async function extractLayer(
  snapshotter: Snapshotter,
  layer: Layer,
  target: { diffId: Digest; chainId: Digest; parent: Digest | undefined; signal: AbortSignal | undefined },
): Promise<void> {
  const { diffId, chainId, parent, signal } = target;
  const key = `extract-${randomBytes(6).toString('hex')}-${chainId}`;
  const mounts = await snapshotter.prepare(key, parent);
  try {
    const directory = await snapshotter.applyTarget(key);
    const tar = await layer.uncompressed({ signal });
    const applied = await applyLayer(tar, directory, {
      compression: 'none',
      whiteouts: snapshotter.whiteoutFormat,
      // Parent dirs a layer implies but does not carry must copy the lower dir's owner and mode.
      lowerDirs: overlayLowerDirs(mounts),
      signal,
    });
    if (applied.diffId !== diffId) {
      throw new InvalidArgumentError(`layer ${await layer.digest()} unpacks to ${applied.diffId}, but the image config says ${diffId}`, {
        details: { expected: diffId, actual: applied.diffId },
      });
    }
    await snapshotter.commit(chainId, key);
  } catch (err) {
    await snapshotter.remove(key).catch(() => undefined);
    // Another unpack committed the same stack first; its snapshot is as good as ours.
    if (isAlreadyExists(err) && (await isCommitted(snapshotter, chainId))) return;
    throw err;
  }
}
