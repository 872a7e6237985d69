import { join } from 'node:path';
import { type Image, createFsContentStore, createFsImageStore, createOverlaySnapshotter, unpackImage } from '@berth/image';
import { pullImage } from '@berth/registry-client';
import { cpuBetween, processCpu } from '../lib/cpu-time.js';
import { since } from '../lib/stats.js';

/** Timings of one Berth pull, in ms from its start. */
export interface BerthPullTiming {
  totalMs: number;
  /** When the last layer was in the content store. */
  downloadsDoneMs: number;
  /** Time spent applying layers (sum over layers of extracting → done, after each one's download). */
  applyMs: number;
  /** CPU time of this process (all threads, zlib's included) during the pull. */
  cpuMs: number;
  /** Compressed bytes downloaded. */
  downloadedBytes: number;
}

/**
 * `pullImage` with an fs content store, an fs image store and the overlay snapshotter,
 * all fresh under `dir` (opening the stores is not timed: an engine opens them once).
 * Pass `unpack: false` to time the download alone (no snapshotter).
 */
export async function berthPull(reference: string, dir: string, options: { unpack?: boolean } = {}): Promise<BerthPullTiming> {
  const contentStore = await createFsContentStore({ root: join(dir, 'content') });
  const imageStore = await createFsImageStore({ root: join(dir, 'images') });
  const snapshotter = options.unpack === false ? undefined : await createOverlaySnapshotter({ root: join(dir, 'snapshots') });
  const downloaded = new Map<string, number>();
  const extracting = new Map<string, number>();
  const done = new Map<string, number>();
  const cpuBefore = await processCpu();
  const start = performance.now();
  const pull = pullImage(reference, { contentStore, imageStore, ...(snapshotter ? { snapshotter } : {}) });
  for await (const event of pull.progress) {
    if (event.type !== 'layer') continue;
    const at = since(start);
    if (event.state === 'downloaded' || event.state === 'exists') downloaded.set(event.digest, at);
    else if (event.state === 'extracting') extracting.set(event.digest, at);
    else if (event.state === 'done') done.set(event.digest, at);
  }
  const result = await pull.done;
  const totalMs = since(start);
  const cpuMs = cpuBetween(cpuBefore, await processCpu());
  let applyMs = 0;
  for (const [digest, end] of done) {
    const began = Math.max(extracting.get(digest) ?? end, downloaded.get(digest) ?? 0);
    applyMs += end - began;
  }
  return { totalMs, downloadsDoneMs: Math.max(0, ...downloaded.values()), applyMs: snapshotter ? applyMs : 0, cpuMs, downloadedBytes: result.downloadedBytes };
}

/**
 * Unpacks `image` (read from local files: the cached OCI layout) into a fresh overlay
 * snapshotter under `dir`: the unpack half of a pull, without the network. Returns ms.
 */
export async function berthUnpackOnly(image: Image, dir: string): Promise<number> {
  const snapshotter = await createOverlaySnapshotter({ root: join(dir, 'snapshots') });
  const start = performance.now();
  await unpackImage(image, snapshotter);
  return since(start);
}
