/**
 * Pure types and zod schemas shared by every Berth package: OCI image documents,
 * media types, digests, platforms and image references. No I/O.
 *
 * @packageDocumentation
 */
export { MediaTypes, isManifestMediaType, isIndexMediaType, layerCompression } from './media-types.js';
export type { MediaType, LayerCompression } from './media-types.js';
export {
  isDigest,
  parseDigest,
  digestSchema,
  digestAlgorithm,
  digestHex,
  digestOf,
} from './digest.js';
export type { Digest, DigestAlgorithm } from './digest.js';
export { platformSchema } from './platform.js';
export type { Platform } from './platform.js';
export { descriptorSchema } from './descriptor.js';
export type { Descriptor } from './descriptor.js';
export { imageManifestSchema, indexManifestSchema } from './manifest.js';
export type { ImageManifest, IndexManifest } from './manifest.js';
export {
  imageConfigSchema,
  containerConfigSchema,
  historySchema,
  healthcheckConfigSchema,
} from './image-config.js';
export type { ImageConfig, ContainerConfig, History, HealthcheckConfig } from './image-config.js';
