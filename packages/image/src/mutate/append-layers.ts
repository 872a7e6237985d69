import type { History, ImageConfig } from '@berth/spec';
import type { Image, Layer } from '../image.js';
import { builtImage } from './built-image.js';

/** A layer to append, with the history entry that describes it. */
export interface LayerAddendum {
  layer: Layer;
  /** The config history entry for the layer; a minimal one is written when absent. */
  history?: History;
}

/**
 * A new image: `base` with `layers` on top. The config gets the layers' diff IDs and one
 * history entry each; manifest and config digests are recomputed on first use. Nothing of
 * `base` is copied — its layers are shared.
 */
export function appendLayers(base: Image, ...layers: (Layer | LayerAddendum)[]): Image {
  return builtImage(async () => {
    const [config, baseLayers, manifest, mediaType] = await Promise.all([base.config(), base.layers(), base.manifest(), base.mediaType()]);
    const addenda = layers.map((entry) => ('layer' in entry ? entry : { layer: entry }));
    const diffIds = await Promise.all(addenda.map((a) => a.layer.diffId()));
    const next: ImageConfig = {
      ...config,
      rootfs: { ...config.rootfs, diff_ids: [...config.rootfs.diff_ids, ...diffIds] },
      history: [...(config.history ?? []), ...addenda.map((a) => a.history ?? { created_by: 'berth: mutate.appendLayers' })],
    };
    return {
      config: next,
      layers: [...baseLayers, ...addenda.map((a) => a.layer)],
      mediaType,
      configMediaType: manifest.config.mediaType,
    };
  });
}
