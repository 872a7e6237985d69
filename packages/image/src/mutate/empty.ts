import { type ImageConfig, MediaTypes, type Platform, defaultPlatform } from '@berth/spec';
import type { Image } from '../image.js';
import { builtImage } from './built-image.js';

/** Options of {@link empty}. */
export interface EmptyImageOptions {
  /** Platform written to the config; defaults to this machine's (`linux/amd64` …). */
  platform?: Platform;
  /** Manifest flavour: `oci` (default) or Docker schema2. */
  format?: 'oci' | 'docker';
}

/**
 * An image with no layers and an empty runtime config — `FROM scratch`. The base that
 * fixtures, imports and builds append layers to.
 */
export function empty(options: EmptyImageOptions = {}): Image {
  const platform = options.platform ?? defaultPlatform();
  const config: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: {},
    rootfs: { type: 'layers', diff_ids: [] },
    history: [],
  };
  const mediaType = options.format === 'docker' ? MediaTypes.DockerManifest : MediaTypes.OciManifest;
  return builtImage(async () => ({ config, layers: [], mediaType }));
}
