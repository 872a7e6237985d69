/**
 * The Docker Engine API wire format, v1.47: zod schemas of request and response bodies,
 * the `filters` parameter, stream framings, registry auth headers, version rules and the error
 * body. Shared by berthd and the engine client; Docker's names are kept as they are on the wire.
 *
 * @packageDocumentation
 */

// --- version rules ---
export {
  MIN_API_VERSION,
  MAX_API_VERSION,
  DEFAULT_API_VERSION,
  parseApiVersion,
  checkApiVersion,
  compareApiVersions,
  apiVersionLessThan,
  apiVersionGreaterThan,
  apiVersionAtLeast,
  negotiateApiVersion,
} from './api-version.js';
export type { VersionedPath } from './api-version.js';
export { PingHeaders, pingResponseHeaders, parsePingHeaders } from './ping-headers.js';
export type { PingInfo } from './ping-headers.js';

// --- filters and query values ---
export {
  FILTER_KEYS,
  invalidFilterMessage,
  parseFilters,
  encodeFilters,
  validateFilters,
  parseEndpointFilters,
  booleanFilter,
} from './filters.js';
export type { Filters, FilterEndpoint } from './filters.js';
export { queryBoolean, queryBooleanOrDefault, queryInteger } from './query-values.js';
export { parseCommitParams, encodeCommitParams } from './commit-params.js';
export type { CommitParams } from './commit-params.js';

// --- headers ---
export {
  REGISTRY_AUTH_HEADER,
  REGISTRY_CONFIG_HEADER,
  encodeRegistryAuth,
  decodeRegistryAuth,
  encodeRegistryConfig,
  decodeRegistryConfig,
} from './registry-auth.js';
export type { RegistryAuthConfigs } from './registry-auth.js';
export {
  CONTAINER_PATH_STAT_HEADER,
  ContainerPathStatSchema,
  GoFileModeBits,
  encodeContainerPathStat,
  decodeContainerPathStat,
} from './archive-path-stat.js';
export type { ContainerPathStat } from './archive-path-stat.js';

// --- errors ---
export { errorBody } from './error-body.js';
export type { ErrorReply } from './error-body.js';

// --- hand-written bodies ---
export {
  ProgressMessageSchema,
  ProgressDetailMessageSchema,
  ErrorDetailMessageSchema,
  progressErrorMessage,
} from './progress-message.js';
export type { ProgressMessage, ProgressDetailMessage, ErrorDetailMessage } from './progress-message.js';
export {
  ContainerStatsResponseSchema,
  CpuUsageSchema,
  CpuStatsSchema,
  MemoryStatsSchema,
  BlkioStatEntrySchema,
  BlkioStatsSchema,
  NetworkStatsSchema,
} from './container-stats.js';
export type {
  ContainerStatsResponse,
  CpuUsage,
  CpuStats,
  MemoryStats,
  BlkioStatEntry,
  BlkioStats,
  NetworkStats,
} from './container-stats.js';

// --- stream framings ---
export {
  MULTIPLEXED_STREAM_CONTENT_TYPE,
  RAW_STREAM_CONTENT_TYPE,
  StreamType,
  encodeFrameHeader,
  systemErrorFrame,
  MultiplexEncoder,
  MultiplexDecoder,
  demultiplexStream,
  decodeAttachStream,
  createAttachEncoder,
} from './streams/multiplexed-stream.js';
export type { OutputStreamName, StreamChunk, AttachStreamOptions } from './streams/multiplexed-stream.js';
export {
  DEFAULT_MAX_JSON_MESSAGE_BYTES,
  JsonLinesEncoder,
  JsonLinesDecoder,
  decodeJsonLines,
} from './streams/json-lines.js';
export type { JsonLineEnding, JsonLinesEncoderOptions, JsonLinesDecoderOptions } from './streams/json-lines.js';

// --- Go JSON decoding rules used by the schemas ---
export { goInteger, stringOrStringArray } from './go-json-types.js';

// --- generated wire schemas (scripts/generate-schemas.ts; do not edit by hand) ---
export {
  HealthConfigSchema,
  ContainerConfigSchema,
  ThrottleDeviceSchema,
  DeviceMappingSchema,
  DeviceRequestSchema,
  ResourcesSchema,
  PortBindingSchema,
  PortMapSchema,
  RestartPolicySchema,
  MountTypeSchema,
  MountSchema,
  HostConfigSchema,
  EndpointIPAMConfigSchema,
  EndpointSettingsSchema,
  NetworkingConfigSchema,
  ContainerCreateResponseSchema,
  PortSchema,
  MountPointSchema,
  ContainerSummarySchema,
  ContainerWaitExitErrorSchema,
  ContainerWaitResponseSchema,
  ChangeTypeSchema,
  FilesystemChangeSchema,
  OCIDescriptorSchema,
  OCIPlatformSchema,
  ImageManifestSummarySchema,
  ImageSummarySchema,
  ImageConfigSchema,
  DriverDataSchema,
  ImageInspectSchema,
  ImageHistoryResponseItemSchema,
  ImageDeleteResponseItemSchema,
  DistributionInspectSchema,
  IPAMConfigSchema,
  IPAMSchema,
  ConfigReferenceSchema,
  NetworkContainerSchema,
  PeerInfoSchema,
  NetworkSchema,
  NetworkCreateResponseSchema,
  ObjectVersionSchema,
  TopologySchema,
  ClusterVolumeSpecSchema,
  ClusterVolumeSchema,
  VolumeSchema,
  VolumeCreateOptionsSchema,
  VolumeListResponseSchema,
  EventActorSchema,
  EventMessageSchema,
  PluginsInfoSchema,
  IndexInfoSchema,
  RegistryServiceConfigSchema,
  GenericResourcesSchema,
  RuntimeSchema,
  LocalNodeStateSchema,
  PeerNodeSchema,
  SwarmSpecSchema,
  TLSInfoSchema,
  ClusterInfoSchema,
  SwarmInfoSchema,
  CommitSchema,
  ContainerdInfoSchema,
  SystemInfoSchema,
  SystemVersionSchema,
  AuthConfigSchema,
  ErrorResponseSchema,
  IdResponseSchema,
  ErrorDetailSchema,
  ProgressDetailSchema,
  CreateImageInfoSchema,
  PushImageInfoSchema,
  ImageIDSchema,
  BuildInfoSchema,
  ContainerCreateRequestSchema,
  HealthcheckResultSchema,
  HealthSchema,
  ContainerStateSchema,
  AddressSchema,
  NetworkSettingsSchema,
  ContainerInspectResponseSchema,
  ContainerTopResponseSchema,
  ContainerUpdateRequestSchema,
  ContainerUpdateResponseSchema,
  ContainerPruneResponseSchema,
  ExecCreateRequestSchema,
  ExecStartRequestSchema,
  ProcessConfigSchema,
  ExecInspectResponseSchema,
  ImageSearchResponseItemSchema,
  ImagePruneResponseSchema,
  NetworkCreateRequestSchema,
  NetworkConnectRequestSchema,
  NetworkDisconnectRequestSchema,
  NetworkPruneResponseSchema,
  VolumePruneResponseSchema,
  BuildCacheSchema,
  SystemDataUsageResponseSchema,
  SystemAuthResponseSchema,
} from './generated/engine-api-schemas.js';
export type {
  HealthConfig,
  ContainerConfig,
  ThrottleDevice,
  DeviceMapping,
  DeviceRequest,
  Resources,
  PortBinding,
  PortMap,
  RestartPolicy,
  MountType,
  Mount,
  HostConfig,
  EndpointIPAMConfig,
  EndpointSettings,
  NetworkingConfig,
  ContainerCreateResponse,
  Port,
  MountPoint,
  ContainerSummary,
  ContainerWaitExitError,
  ContainerWaitResponse,
  ChangeType,
  FilesystemChange,
  OCIDescriptor,
  OCIPlatform,
  ImageManifestSummary,
  ImageSummary,
  ImageConfig,
  DriverData,
  ImageInspect,
  ImageHistoryResponseItem,
  ImageDeleteResponseItem,
  DistributionInspect,
  IPAMConfig,
  IPAM,
  ConfigReference,
  NetworkContainer,
  PeerInfo,
  Network,
  NetworkCreateResponse,
  ObjectVersion,
  Topology,
  ClusterVolumeSpec,
  ClusterVolume,
  Volume,
  VolumeCreateOptions,
  VolumeListResponse,
  EventActor,
  EventMessage,
  PluginsInfo,
  IndexInfo,
  RegistryServiceConfig,
  GenericResources,
  Runtime,
  LocalNodeState,
  PeerNode,
  SwarmSpec,
  TLSInfo,
  ClusterInfo,
  SwarmInfo,
  Commit,
  ContainerdInfo,
  SystemInfo,
  SystemVersion,
  AuthConfig,
  ErrorResponse,
  IdResponse,
  ErrorDetail,
  ProgressDetail,
  CreateImageInfo,
  PushImageInfo,
  ImageID,
  BuildInfo,
  ContainerCreateRequest,
  HealthcheckResult,
  Health,
  ContainerState,
  Address,
  NetworkSettings,
  ContainerInspectResponse,
  ContainerTopResponse,
  ContainerUpdateRequest,
  ContainerUpdateResponse,
  ContainerPruneResponse,
  ExecCreateRequest,
  ExecStartRequest,
  ProcessConfig,
  ExecInspectResponse,
  ImageSearchResponseItem,
  ImagePruneResponse,
  NetworkCreateRequest,
  NetworkConnectRequest,
  NetworkDisconnectRequest,
  NetworkPruneResponse,
  VolumePruneResponse,
  BuildCache,
  SystemDataUsageResponse,
  SystemAuthResponse,
} from './generated/engine-api-schemas.js';
// --- end of generated wire schemas ---

// --- codec (engine ⇄ wire) ---
export {
  containerCreateOptionsFromWire,
  containerUpdateFromWire,
  execCreateOptionsFromWire,
  restartPolicyFromWire,
  resourcesFromWire,
  bindFromWire,
  mountFromWire,
} from './codec/container-create-codec.js';
export type { ContainerCreateQuery } from './codec/container-create-codec.js';
export {
  containerInspectToWire,
  containerSummaryToWire,
  containerStatsToWire,
  portBindingsToWire,
  portMapToWire,
  endpointToWire,
  waitResultToWire,
  topResultToWire,
  changesToWire,
  execInspectToWire,
} from './codec/container-view-codec.js';
export {
  imageSummaryToWire,
  imageInspectToWire,
  imageHistoryToWire,
  imageDeleteToWire,
  pullEventToProgress,
  pushEventToProgress,
  pullDoneMessages,
  pushDoneMessages,
} from './codec/image-codec.js';
export type { PullProgressEvent, PushProgressEvent } from './codec/image-codec.js';
export { networkToWire, networkCreateOptionsFromWire, networkConnectFromWire } from './codec/network-codec.js';
export { volumeToWire, volumeCreateOptionsFromWire } from './codec/volume-codec.js';
export { eventToWire } from './codec/event-codec.js';
export { engineInfoToWire, engineVersionToWire, diskUsageToWire } from './codec/system-codec.js';
export type { InfoExtras } from './codec/system-codec.js';
export { credentialsFromAuthConfig } from './codec/auth-codec.js';
export type { EngineCredentials } from './codec/auth-codec.js';
export { distributionInspectToWire, distributionInspectFromWire } from './codec/distribution-codec.js';
export { pathStatToWire } from './codec/path-stat-codec.js';
export { GO_ZERO_TIME, wireTime, unixSeconds } from './codec/wire-time.js';
export { applyChangeInstructions, CHANGE_INSTRUCTIONS } from './codec/change-instructions.js';
export type { ImageRuntimeConfig } from './codec/change-instructions.js';

// --- detach keys (the `detachKeys` notation and the stdin scanner) ---
export { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from './detach-keys.js';
