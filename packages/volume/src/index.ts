/**
 * Volumes: the {@link VolumeDriver} interface with its `local` and `memory` drivers, and
 * the volume service that gives them Docker's semantics (names, labels, anonymous volumes,
 * users that block removal, filters, prune, copy-up of image content).
 *
 * @packageDocumentation
 */

// --- driver interface ---
export type {
  VolumeDriver,
  VolumeDriverCapabilities,
  VolumeDriverFactory,
  DriverVolume,
  CreateDriverVolumeOptions,
} from './volume-driver.js';
export { isValidVolumeName, validateVolumeName } from './volume-name.js';

// --- drivers (drivers/) ---
export { createLocalVolumeDriver } from './drivers/local-driver.js';
export type { LocalVolumeDriverOptions } from './drivers/local-driver.js';
export { createMemoryVolumeDriver } from './drivers/memory-driver.js';
export type { MemoryVolumeDriverOptions } from './drivers/memory-driver.js';
export { parseLocalVolumeOptions, isBindMount } from './drivers/local-options.js';
export type { LocalMountSpec } from './drivers/local-options.js';
export { createSystemMounter } from './drivers/volume-mounter.js';
export type { VolumeMounter } from './drivers/volume-mounter.js';

// --- copy-up ---
export { copyImageContentIntoVolume } from './copy-up.js';
export type { CopyUpOptions } from './copy-up.js';

// --- volume service (service/) ---
export { createVolumeService } from './service/volume-service.js';
export { ANONYMOUS_VOLUME_LABEL } from './service/volume-service-types.js';
export type {
  VolumeService,
  VolumeServiceOptions,
  Volume,
  VolumeUsageData,
  VolumeCreateOptions,
  VolumeListOptions,
  VolumeListResult,
  VolumeRemoveOptions,
  VolumePruneOptions,
  VolumePruneReport,
  VolumeMountOptions,
  VolumeEvent,
} from './service/volume-service-types.js';
export type { VolumeFilters } from './service/volume-filters.js';
export { createMemoryVolumeRecordStore, createFsVolumeRecordStore } from './service/volume-record-store.js';
export type { VolumeRecord, VolumeRecordStore, FsVolumeRecordStoreOptions } from './service/volume-record-store.js';
