/**
 * Pure types and zod schemas shared by every Berth package: OCI image documents and
 * layouts, Docker archives, the OCI runtime spec, registry error bodies, media types,
 * digests, platforms and image references. No I/O.
 *
 * @packageDocumentation
 */

// --- media types ---
export {
  MediaTypes,
  mediaTypeEssence,
  isManifestMediaType,
  isIndexMediaType,
  isSchema1MediaType,
  isConfigMediaType,
  layerCompression,
} from './media-types.js';
export type { MediaType, LayerCompression } from './media-types.js';

// --- digests ---
export { isDigest, parseDigest, digestSchema, digestAlgorithm, digestHex, digestOf } from './digest.js';
export type { Digest, DigestAlgorithm } from './digest.js';

// --- platforms ---
export { platformSchema, parsePlatform, formatPlatform, normalizePlatform } from './platform.js';
export type { Platform, ParsePlatformOptions } from './platform.js';
export { defaultPlatform } from './platform-default.js';
export {
  platformMatches,
  comparePlatforms,
  bestPlatformMatch,
  selectPlatformManifest,
} from './platform-match.js';
export type { PlatformMatchOptions } from './platform-match.js';

// --- image references ---
export {
  ImageReference,
  parseReference,
  parseDockerRef,
  parseAnyReference,
  imageReferenceSchema,
  DEFAULT_DOMAIN,
  LEGACY_DEFAULT_DOMAIN,
  OFFICIAL_REPOSITORY_PREFIX,
  DEFAULT_TAG,
  REPOSITORY_NAME_MAX_LENGTH,
} from './reference.js';
export type { ImageReferenceParts, AnyReference } from './reference.js';
export { referenceMatchesPattern } from './reference-match.js';

// --- OCI image documents ---
export { descriptorSchema } from './descriptor.js';
export type { Descriptor } from './descriptor.js';
export { imageManifestSchema, indexManifestSchema } from './manifest.js';
export type { ImageManifest, IndexManifest } from './manifest.js';
export { isImageManifest, isIndexManifest, parseManifestDocument } from './manifest-document.js';
export type { ManifestDocument } from './manifest-document.js';
export {
  imageConfigSchema,
  containerConfigSchema,
  historySchema,
  healthcheckConfigSchema,
} from './image-config.js';
export type { ImageConfig, ContainerConfig, History, HealthcheckConfig } from './image-config.js';
export { AnnotationKeys, ATTESTATION_MANIFEST_REFERENCE_TYPE } from './annotations.js';
export type { AnnotationKey } from './annotations.js';

// --- OCI image layout ---
export {
  OCI_LAYOUT_FILE,
  OCI_LAYOUT_INDEX_FILE,
  OCI_LAYOUT_BLOBS_DIR,
  OCI_IMAGE_LAYOUT_VERSION,
  ociLayoutSchema,
  ociLayoutIndexSchema,
  ociLayoutBlobPath,
} from './image-layout.js';
export type { OciLayout } from './image-layout.js';

// --- Docker archive (docker save / load) ---
export {
  DOCKER_ARCHIVE_MANIFEST_FILE,
  DOCKER_ARCHIVE_REPOSITORIES_FILE,
  dockerArchiveManifestEntrySchema,
  dockerArchiveManifestSchema,
  dockerArchiveRepositoriesSchema,
} from './docker-archive.js';
export type {
  DockerArchiveManifestEntry,
  DockerArchiveManifest,
  DockerArchiveRepositories,
} from './docker-archive.js';

// --- registry (distribution) errors ---
export {
  DistributionErrorCodes,
  DISTRIBUTION_ERROR_CODES,
  isDistributionErrorCode,
  distributionErrorSchema,
  distributionErrorsBodySchema,
} from './distribution-errors.js';
export type {
  DistributionErrorCode,
  DistributionErrorCodeInfo,
  DistributionError,
  DistributionErrorsBody,
} from './distribution-errors.js';

// --- OCI runtime spec (config.json) ---
export {
  OCI_RUNTIME_SPEC_VERSION,
  runtimeSpecSchema,
  runtimeProcessSchema,
  runtimeUserSchema,
  runtimeRlimitSchema,
  runtimeRootSchema,
  runtimeMountSchema,
  runtimeHookSchema,
  runtimeHooksSchema,
  linuxCapabilitiesSchema,
} from './runtime-spec.js';
export type {
  RuntimeSpec,
  RuntimeProcess,
  RuntimeUser,
  RuntimeRlimit,
  RuntimeRoot,
  RuntimeMount,
  RuntimeHook,
  RuntimeHooks,
  LinuxCapabilities,
} from './runtime-spec.js';
export {
  LINUX_NAMESPACE_TYPES,
  linuxSchema,
  linuxNamespaceSchema,
  linuxIdMappingSchema,
  linuxDeviceSchema,
  linuxDeviceCgroupSchema,
  linuxResourcesSchema,
  linuxMemorySchema,
  linuxCpuSchema,
  linuxPidsSchema,
  linuxBlockIoSchema,
  linuxHugepageLimitSchema,
  linuxNetworkSchema,
  linuxSeccompSchema,
  linuxSyscallSchema,
  linuxSeccompArgSchema,
} from './runtime-spec-linux.js';
export type {
  Linux,
  LinuxNamespace,
  LinuxNamespaceType,
  LinuxIdMapping,
  LinuxDevice,
  LinuxDeviceCgroup,
  LinuxResources,
  LinuxMemory,
  LinuxCpu,
  LinuxPids,
  LinuxBlockIo,
  LinuxHugepageLimit,
  LinuxNetwork,
  LinuxSeccomp,
  LinuxSyscall,
  LinuxSeccompArg,
} from './runtime-spec-linux.js';
