import type { ImageDistributionInspect } from '@berth/engine';
import type { Platform } from '@berth/spec';
import type { DistributionInspect, OCIPlatform } from '../generated/engine-api-schemas.js';

/** `images.inspectDistribution`'s result → docker's `DistributionInspect` (`GET /distribution/{name}/json`). */
export function distributionInspectToWire(inspect: ImageDistributionInspect): DistributionInspect {
  return {
    Descriptor: { mediaType: inspect.descriptor.mediaType, digest: inspect.descriptor.digest, size: inspect.descriptor.size },
    Platforms: inspect.platforms.map((platform) => ({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform['os.version'] ? { 'os.version': platform['os.version'] } : {}),
      ...(platform['os.features'] ? { 'os.features': [...platform['os.features']] } : {}),
      ...(platform.variant ? { variant: platform.variant } : {}),
    })),
  };
}

/** docker's `DistributionInspect` (parsed) → the engine's form; absent fields become empty. */
export function distributionInspectFromWire(wire: DistributionInspect): ImageDistributionInspect {
  return {
    descriptor: { mediaType: wire.Descriptor?.mediaType ?? '', digest: wire.Descriptor?.digest ?? '', size: wire.Descriptor?.size ?? 0 },
    platforms: (wire.Platforms ?? []).map(platformFromWire),
  };
}

function platformFromWire(wire: OCIPlatform): Platform {
  return {
    architecture: wire.architecture ?? '',
    os: wire.os ?? '',
    ...(wire['os.version'] ? { 'os.version': wire['os.version'] } : {}),
    ...(wire['os.features'] ? { 'os.features': [...wire['os.features']] } : {}),
    ...(wire.variant ? { variant: wire.variant } : {}),
  };
}
