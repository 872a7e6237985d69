/**
 * The Berth engine: Docker Engine's behaviour as a typed, in-process API. `createEngine`
 * runs real containers on Linux; `createMemoryEngine` runs the same engine code over
 * in-memory drivers and a fake runtime, for tests. The conformance suite both pass is
 * under `@berth/engine/conformance`.
 *
 * @packageDocumentation
 */

// --- engine interface ---
export type { Engine, ImagesApi, ContainersApi, NetworksApi, VolumesApi, SystemApi } from './engine.js';
export type {
  ImageSummary,
  ImageInspect,
  ImageHistoryEntry,
  ImageDeleteEntry,
  ImageListOptions,
  ImageRemoveOptions,
  ImagePullOptions,
  ImagePullResult,
  ImagePullHandle,
  ImagePushOptions,
  ImagePushResult,
  ImagePushHandle,
  ImageSaveOptions,
  ImageLoadOptions,
  ImageLoadResult,
  ImageImportOptions,
  ImagePruneOptions,
  ImagePruneReport,
  ImageDistributionOptions,
  ImageDistributionInspect,
  ArchiveSource,
  ArchiveTarget,
  ImportSource,
} from './images/image-types.js';
export type {
  Volume,
  VolumeCreateOptions,
  VolumeListOptions,
  VolumeListResult,
  VolumeRemoveOptions,
  VolumePruneOptions,
  VolumePruneReport,
} from './volumes/volume-types.js';
export type {
  NetworkInspect,
  NetworkCreateOptions,
  NetworkListOptions,
  NetworkConnectOptions,
  NetworkPruneOptions,
  NetworkPruneReport,
} from './networks/network-types.js';
export type {
  PortBindings,
  ContainerCreateOptions,
  ContainerCreateResult,
  ContainerHealth,
  ContainerInspect,
  ContainerInspectOptions,
  ContainerSummary,
  ContainerListOptions,
  ContainerStopOptions,
  ContainerRemoveOptions,
  WaitCondition,
  WaitResult,
  ContainerLogsOptions,
  LogChunk,
  AttachSession,
  ContainerAttachOptions,
  ExecCreateOptions,
  ExecInspect,
  ExecStartOptions,
  ExecSession,
  TopResult,
  ContainerStats,
  ContainerStatsOptions,
  ContainerUpdateOptions,
  ContainerCommitOptions,
  ContainerPathStat,
  ContainerPruneOptions,
  ContainerPruneReport,
  ContainerChange,
} from './containers/container-types.js';
export type { ContainerNetworkStats } from './containers/container-network-stats.js';
export type { EngineInfo, EngineVersion, DiskUsage, SystemPruneOptions, SystemPruneReport } from './system/system-types.js';
export { ENGINE_VERSION, DOCKER_API_VERSION } from './system/engine-system.js';

// --- events ---
export type {
  EngineEvent,
  EngineEventType,
  EngineEventInput,
  ContainerEvent,
  ImageEvent,
  NetworkEvent,
  VolumeEvent,
  ContainerEventAction,
  ImageEventAction,
  NetworkEventAction,
  VolumeEventAction,
  EventActor,
  EventFilters,
  EventsOptions,
} from './events/event-types.js';
export { EventBus } from './events/event-bus.js';
export type { EventBusOptions } from './events/event-bus.js';
export { matchesEventFilters } from './events/event-filters.js';

// --- metadata ---
export { createFsMetadataStore, createMemoryMetadataStore } from './metadata/metadata-store.js';
export type { MetadataStore, MetadataCollection } from './metadata/metadata-store.js';

// --- engines ---
export { createEngine } from './create-engine.js';
export type { EngineOptions } from './create-engine.js';
export { createMemoryEngine } from './create-memory-engine.js';
export type { MemoryEngineOptions } from './create-memory-engine.js';
