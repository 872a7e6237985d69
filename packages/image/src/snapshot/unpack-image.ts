import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { rename } from 'node:fs/promises';
import { InternalError, InvalidArgumentError, isAlreadyExists, isNotFound } from '@berth/errdefs';
import type { Digest } from '@berth/spec';
import type { Image, Layer } from '../image.js';
import { type AppliedLayer, applyLayer } from '../layer/apply.js';
import { applyLayerOffThread, warmLayerWorkers } from '../layer/internal/apply-off-thread.js';
import { type ConcurrencyLimiter, limitConcurrency } from '../limit-concurrency.js';
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
  /**
   * Layers applied at the same time (default: the number of cores, at least 4, at most 8) when the snapshotter writes overlay
   * whiteouts: each layer then goes into a snapshot of its own, independent of its
   * parent's content. Commits stay in order, bottom first.
   */
  concurrency?: number;
  /**
   * Layers whose compressed size is at least this many bytes (default 8 MiB) are applied
   * in a worker thread, so that several apply in parallel on several cores; smaller ones,
   * where starting a thread costs more than it saves, in the main thread. `0` sends every
   * layer to a worker, `Infinity` none.
   */
  offThreadMinBytes?: number;
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
 * Unpacks `image` into `snapshotter` as one committed snapshot per layer named by its
 * chain ID, committed bottom first. A layer whose chain ID is already committed is
 * skipped — images sharing bottom layers share their snapshots. Otherwise the layer is
 * applied into a fresh active snapshot (`extract-<random>-<chainId>`), its digest checked
 * against the config's diff ID (`InvalidArgument` on a mismatch), and committed under
 * its chain ID. With overlay whiteouts, layers are applied in parallel (see
 * {@link UnpackOptions.concurrency}), each into a snapshot of its own that moves onto its
 * parent once that is committed; otherwise one after the other on the previous one.
 * Large layers are applied in worker threads. On any failure the snapshots being written
 * are removed; committed layers below stay for the next attempt. Concurrent unpacks of
 * images sharing layers are safe: when another unpack commits the same chain ID first,
 * ours is discarded.
 * `await` means every layer is committed.
 */
export async function unpackImage(image: Image, snapshotter: Snapshotter, options: UnpackOptions = {}): Promise<UnpackResult> {
  const { signal, onProgress } = options;
  const layers = await image.layers();
  const diffIds = await Promise.all(layers.map((layer) => layer.diffId()));
  const chain = chainIds(diffIds);
  const sizes = await Promise.all(layers.map((layer) => layer.size()));
  const offThreadMinBytes = options.offThreadMinBytes ?? defaultOffThreadMinBytes;
  const plans: LayerPlan[] = layers.map((layer, index) => ({
    layer,
    index,
    diffId: diffIds[index]!,
    chainId: chain[index]!,
    parent: index === 0 ? undefined : chain[index - 1],
    offThread: sizes[index]! >= offThreadMinBytes,
    event: (state) => onProgress?.({ layer: index, diffId: diffIds[index]!, chainId: chain[index]!, state }),
  }));
  const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency);
  const toExtract: LayerPlan[] = [];
  for (const plan of plans) {
    signal?.throwIfAborted();
    if (await isCommitted(snapshotter, plan.chainId)) plan.event('skipped');
    else toExtract.push(plan);
  }
  const offThreadCount = toExtract.filter((p) => p.offThread).length;
  if (offThreadCount > 0) warmLayerWorkers(Math.min(offThreadCount, concurrency));
  if (snapshotter.whiteoutFormat === 'overlay' && concurrency > 1 && toExtract.length > 1) {
    await extractInParallel(snapshotter, toExtract, concurrency, signal);
  } else {
    for (const plan of toExtract) {
      signal?.throwIfAborted();
      plan.event('extracting');
      await extractLayer(snapshotter, plan, signal);
      plan.event('done');
    }
  }
  const top = chain[chain.length - 1];
  return { chainId: top, key: top };
}

/** Layers at least this large (compressed) are applied in a worker thread by default. */
const defaultOffThreadMinBytes = 8 << 20;
/**
 * Layers applied at once by default: enough that a large layer does not wait behind
 * small ones for long, and that a layer blocked in file creation leaves the cores to others.
 */
const defaultConcurrency = Math.min(8, Math.max(4, availableParallelism()));

/** One layer of an unpack and where it goes. */
interface LayerPlan {
  layer: Layer;
  index: number;
  diffId: Digest;
  chainId: Digest;
  /** The chain ID below: the committed snapshot this layer's goes on. */
  parent: Digest | undefined;
  /** Apply in a worker thread. */
  offThread: boolean;
  event: (state: UnpackProgress['state']) => void;
}

/**
 * Overlay snapshotters: each layer is applied into a parentless scratch snapshot as soon
 * as a slot is free, whatever the state of the layers below (an upper dir holds only its
 * own layer; whiteouts are just files). Once the parent is committed, a snapshot on it
 * is prepared, the scratch tree is renamed over its (empty) apply target, and it is
 * committed: commits happen bottom first. The lower-directory metadata that implicit
 * parents copy is applied when the parent is known. The first failure aborts the
 * others; every uncommitted snapshot is removed before this settles.
 */
async function extractInParallel(snapshotter: Snapshotter, plans: LayerPlan[], concurrency: number, signal: AbortSignal | undefined): Promise<void> {
  const abort = new AbortController();
  // Every layer in flight listens on it (its reads, streams and writer): not a leak.
  setMaxListeners(0, abort.signal);
  const onAbort = () => abort.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let failure: { error: unknown } | undefined;
  const limit = limitConcurrency(concurrency);
  const committed = new Map<Digest, Promise<void>>();
  const runs: Promise<void>[] = [];
  // Queued bottom first, synchronously: a layer that holds a slot while it waits for its
  // parent's lower dirs cannot starve that parent of one, since the parent got its slot first.
  for (const plan of plans) {
    const below = plan.parent === undefined ? undefined : committed.get(plan.parent);
    const run = extractLayerDetached(snapshotter, plan, below ?? Promise.resolve(), limit, abort.signal).catch((err: unknown) => {
      failure ??= { error: err };
      abort.abort(err);
      throw err;
    });
    run.catch(() => undefined);
    committed.set(plan.chainId, run);
    runs.push(run);
  }
  try {
    await Promise.allSettled(runs);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure) {
    signal?.throwIfAborted();
    throw failure.error;
  }
}

/** Applies one layer into a scratch snapshot, then moves it onto its parent once that is committed. */
async function extractLayerDetached(
  snapshotter: Snapshotter,
  plan: LayerPlan,
  parentCommitted: Promise<void>,
  limit: ConcurrencyLimiter,
  signal: AbortSignal,
): Promise<void> {
  const { layer, diffId, chainId, parent } = plan;
  const scratch = `extract-${randomBytes(6).toString('hex')}-${chainId}`;
  // The snapshot on the parent, once the parent is committed; never prepared after a failure here.
  let onParent: { key: string; prepared: Promise<Mount[]> } | undefined;
  let failed = false;
  let prepared = false;
  try {
    let directory = '';
    const lowerDirs =
      parent === undefined
        ? Promise.resolve([])
        : parentCommitted.then(async () => {
            signal.throwIfAborted();
            if (failed) throw new InternalError(`layer ${chainId} failed before its parent was committed`);
            const key = `extract-${randomBytes(6).toString('hex')}-${chainId}`;
            onParent = { key, prepared: snapshotter.prepare(key, parent) };
            return overlayLowerDirs(await onParent.prepared);
          });
    lowerDirs.catch(() => undefined);
    // The slot covers the apply only: waiting for the parent's commit takes none.
    const applied = await limit(async () => {
      signal.throwIfAborted();
      plan.event('extracting');
      await snapshotter.prepare(scratch);
      prepared = true;
      directory = await snapshotter.applyTarget(scratch);
      return applyPlanned(plan, directory, lowerDirs, signal);
    });
    checkDiffId(applied, diffId, await layer.digest());
    await lowerDirs;
    if (onParent === undefined) {
      await snapshotter.commit(chainId, scratch);
      plan.event('done');
      return;
    }
    // The scratch tree replaces the empty upper dir of the snapshot on the parent (same file system).
    await rename(directory, await snapshotter.applyTarget(onParent.key));
    await snapshotter.commit(chainId, onParent.key);
    onParent = undefined;
    plan.event('done');
    await snapshotter.remove(scratch);
  } catch (err) {
    failed = true;
    const leftover = onParent as { key: string; prepared: Promise<Mount[]> } | undefined;
    if (leftover !== undefined) await leftover.prepared.then(() => snapshotter.remove(leftover.key)).catch(() => undefined);
    if (prepared) await snapshotter.remove(scratch).catch(() => undefined);
    // Another unpack committed the same stack first; its snapshot is as good as ours.
    if (isAlreadyExists(err) && (await isCommitted(snapshotter, chainId))) return;
    throw err;
  }
}

/** Applies a layer in the main thread or a worker, as planned. */
async function applyPlanned(plan: LayerPlan, directory: string, lowerDirs: string[] | Promise<string[]>, signal: AbortSignal | undefined): Promise<AppliedLayer> {
  if (plan.offThread) {
    return applyLayerOffThread(await plan.layer.compressed({ signal }), directory, { compression: 'auto', whiteouts: 'overlay', lowerDirs, signal });
  }
  return applyLayer(await plan.layer.uncompressed({ signal }), directory, { compression: 'none', whiteouts: 'overlay', lowerDirs, signal });
}

function checkDiffId(applied: AppliedLayer, diffId: Digest, digest: Digest): void {
  if (applied.diffId !== diffId) {
    throw new InvalidArgumentError(`layer ${digest} unpacks to ${applied.diffId}, but the image config says ${diffId}`, {
      details: { expected: diffId, actual: applied.diffId },
    });
  }
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

/** Applies one layer into a new active snapshot on its parent and commits it as its chain ID. */
async function extractLayer(snapshotter: Snapshotter, plan: LayerPlan, signal: AbortSignal | undefined): Promise<void> {
  const { layer, diffId, chainId, parent } = plan;
  const key = `extract-${randomBytes(6).toString('hex')}-${chainId}`;
  const mounts = await snapshotter.prepare(key, parent);
  try {
    const directory = await snapshotter.applyTarget(key);
    const options = {
      whiteouts: snapshotter.whiteoutFormat,
      // Parent dirs a layer implies but does not carry must copy the lower dir's owner and mode.
      lowerDirs: overlayLowerDirs(mounts),
      signal,
    };
    const applied = plan.offThread
      ? await applyLayerOffThread(await layer.compressed({ signal }), directory, { ...options, compression: 'auto' })
      : await applyLayer(await layer.uncompressed({ signal }), directory, { ...options, compression: 'none' });
    checkDiffId(applied, diffId, await layer.digest());
    await snapshotter.commit(chainId, key);
  } catch (err) {
    await snapshotter.remove(key).catch(() => undefined);
    // Another unpack committed the same stack first; its snapshot is as good as ours.
    if (isAlreadyExists(err) && (await isCommitted(snapshotter, chainId))) return;
    throw err;
  }
}
