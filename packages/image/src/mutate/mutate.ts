import { appendLayers } from './append-layers.js';
import { appendManifests, emptyIndex } from './append-manifests.js';
import { config, configFile } from './config.js';
import { empty } from './empty.js';

/**
 * Transforms of images and indexes (go-containerregistry's `mutate`). Each returns a new,
 * lazy object; the input is never modified and its layers are shared, not copied.
 * Manifest and config bytes — and so digests — are recomputed on first use.
 *
 * ```ts
 * const image = mutate.config(mutate.appendLayers(mutate.empty(), layer), { Cmd: ['sh'] });
 * ```
 */
export const mutate = {
  /** `base` with layers on top (see {@link appendLayers}). */
  appendLayers,
  /** `base` with runtime defaults changed (see {@link config}). */
  config,
  /** `base` with its config document rewritten (see {@link configFile}). */
  configFile,
  /** An image with no layers: `FROM scratch` (see {@link empty}). */
  empty,
  /** An index with no manifests (see {@link emptyIndex}). */
  emptyIndex,
  /** `base` index with more manifests (see {@link appendManifests}). */
  appendManifests,
} as const;
