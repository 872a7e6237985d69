import { join } from 'node:path';
import type { Image } from '@berth/image';
import { removeTree, scratchDir, settle } from '../lib/scratch.js';
import { median } from '../lib/stats.js';
import { berthPull, berthUnpackOnly } from './berth-pull.js';
import { type LayerPhases, profileLayer } from './layer-profile.js';

/** Where Berth's time goes: its two halves alone, and each layer phase by phase. */
export interface BerthProfile {
  /** Median ms of a pull without a snapshotter (download into the content store only). */
  downloadOnlyMs: number;
  /** Median ms of unpacking the image from local blobs (no network). */
  unpackOnlyMs: number;
  layers: { digest: string; size: number; phases: LayerPhases }[];
}

/**
 * Profiles Berth on the benchmark image: twice each a download-only pull of `reference`
 * and an unpack-only run from the cached layout at `layout`, then every layer's phases
 * once ({@link profileLayer}). Scratch data goes under `work` and is removed as it goes.
 */
export async function profileBerth(reference: string, image: Image, layout: string, work: string): Promise<BerthProfile> {
  const downloads: number[] = [];
  const unpacks: number[] = [];
  for (let i = 0; i < 2; i++) {
    const dir = await scratchDir('berth-download', work);
    try {
      downloads.push((await berthPull(reference, dir, { unpack: false })).totalMs);
    } finally {
      await removeTree(dir);
      await settle();
    }
    const unpackDir = await scratchDir('berth-unpack', work);
    try {
      unpacks.push(await berthUnpackOnly(image, unpackDir));
    } finally {
      await removeTree(unpackDir);
      await settle();
    }
  }
  const layers = [];
  for (const layer of await image.layers()) {
    const digest = await layer.digest();
    const dir = await scratchDir('layer', work);
    try {
      const blob = join(layout, 'blobs', ...digest.split(':'));
      layers.push({ digest, size: await layer.size(), phases: await profileLayer(blob, dir) });
    } finally {
      await removeTree(dir);
    }
  }
  return { downloadOnlyMs: median(downloads), unpackOnlyMs: median(unpacks), layers };
}
