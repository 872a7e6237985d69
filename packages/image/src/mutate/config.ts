import type { ContainerConfig, ImageConfig } from '@berth/spec';
import type { Image } from '../image.js';
import { builtImage } from './built-image.js';

/**
 * A new image: `base` with its whole config document replaced by `edit(config)` (platform,
 * `created`, history, anything). Layers are shared; `rootfs.diff_ids` must still match them.
 */
export function configFile(base: Image, edit: (config: ImageConfig) => ImageConfig): Image {
  return builtImage(async () => {
    const [config, layers, manifest, mediaType] = await Promise.all([base.config(), base.layers(), base.manifest(), base.mediaType()]);
    return { config: edit(structuredClone(config)), layers, mediaType, configMediaType: manifest.config.mediaType };
  });
}

/**
 * A new image: `base` with `changes` merged into its runtime defaults (`Cmd`, `Env`,
 * `Entrypoint`, `WorkingDir`, `User`, `ExposedPorts`, `Labels`, …). A key given replaces the
 * base's value whole (as `docker commit --change` does); keys not given are kept.
 */
export function config(base: Image, changes: ContainerConfig): Image {
  return configFile(base, (current) => ({ ...current, config: { ...current.config, ...changes } }));
}
