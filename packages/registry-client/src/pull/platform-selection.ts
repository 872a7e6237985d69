import { NotFoundError } from '@berth/errdefs';
import { type Descriptor, type IndexManifest, type Platform, formatPlatform, selectPlatformManifest } from '@berth/spec';

/**
 * The manifest of `index` for `platform` (containerd's matching: `linux/arm64` also runs
 * `linux/arm/v8`… and `linux/amd64` runs `linux/386`, best first). When none matches,
 * `NotFound` naming the wanted platform and the ones the index has (attestation
 * manifests, `unknown/unknown`, left out).
 */
export function selectManifest(index: IndexManifest, platform: Platform, where: string): Descriptor {
  const chosen = selectPlatformManifest(index, platform);
  if (chosen) return chosen;
  const available = [
    ...new Set(
      index.manifests
        .map((m) => m.platform)
        .filter((p): p is Platform => p !== undefined && p.os !== 'unknown')
        .map((p) => formatPlatform(p)),
    ),
  ];
  throw new NotFoundError(
    `${where}: no matching manifest for ${formatPlatform(platform)} in the manifest list entries; available platforms: ${available.length > 0 ? available.join(', ') : 'none'}`,
    { details: { platform: formatPlatform(platform), available } },
  );
}
