import type { Readable } from 'node:stream';
import type { Endpoint } from '@berth/network';
import type {
  AttachSession,
  ContainerAttachOptions,
  ContainerChange,
  ContainerCommitOptions,
  ContainerCreateOptions,
  ContainerCreateResult,
  ContainerInspect,
  ContainerInspectOptions,
  ContainerListOptions,
  ContainerLogsOptions,
  ContainerPathStat,
  ContainerPruneOptions,
  ContainerPruneReport,
  ContainerRemoveOptions,
  ContainerStats,
  ContainerStatsOptions,
  ContainerStopOptions,
  ContainerSummary,
  ContainerUpdateOptions,
  ExecCreateOptions,
  ExecInspect,
  ExecSession,
  ExecStartOptions,
  LogChunk,
  TopResult,
  WaitCondition,
  WaitResult,
} from './containers/container-types.js';
import type { EngineEvent, EventsOptions } from './events/event-types.js';
import type {
  ArchiveSource,
  ArchiveTarget,
  ImageDeleteEntry,
  ImageDistributionInspect,
  ImageDistributionOptions,
  ImageHistoryEntry,
  ImageImportOptions,
  ImageInspect,
  ImageListOptions,
  ImageLoadOptions,
  ImageLoadResult,
  ImagePruneOptions,
  ImagePruneReport,
  ImagePullHandle,
  ImagePullOptions,
  ImagePushHandle,
  ImagePushOptions,
  ImageRemoveOptions,
  ImageSaveOptions,
  ImageSummary,
  ImportSource,
} from './images/image-types.js';
import type {
  NetworkConnectOptions,
  NetworkCreateOptions,
  NetworkInspect,
  NetworkListOptions,
  NetworkPruneOptions,
  NetworkPruneReport,
} from './networks/network-types.js';
import type { DiskUsage, EngineInfo, EngineVersion, SystemPruneOptions, SystemPruneReport } from './system/system-types.js';
import type {
  Volume,
  VolumeCreateOptions,
  VolumeListOptions,
  VolumeListResult,
  VolumePruneOptions,
  VolumePruneReport,
  VolumeRemoveOptions,
} from './volumes/volume-types.js';

/**
 * Images of an engine, with docker's semantics. References are anything docker accepts:
 * `busybox`, `busybox:1.36`, `localhost:5000/app@sha256:…`, an image ID or a unique ID
 * prefix. Unknown images are `NotFound` (`No such image: x`).
 */
export interface ImagesApi {
  /** Pulls from a registry; the name is recorded when `done` resolves. Event: `pull`. */
  pull(reference: string, options?: ImagePullOptions): ImagePullHandle;
  /** Pushes a local image to its registry. Event: `push`. */
  push(reference: string, options?: ImagePushOptions): ImagePushHandle;
  list(options?: ImageListOptions): Promise<ImageSummary[]>;
  inspect(reference: string): Promise<ImageInspect>;
  /** Gives `source` the name `target` (tag `latest` by default). Event: `tag`. */
  tag(source: string, target: string): Promise<void>;
  /** docker's `rmi` with its conflict rules (`Conflict`). Events: `untag`, `delete`. */
  remove(reference: string, options?: ImageRemoveOptions): Promise<ImageDeleteEntry[]>;
  /** Writes the images to a `docker save` tar. Event: `save` per image. */
  save(references: readonly string[], target: ArchiveTarget, options?: ImageSaveOptions): Promise<void>;
  /** Loads a `docker save` tar. Event: `load` per image. */
  load(source: ArchiveSource, options?: ImageLoadOptions): Promise<ImageLoadResult>;
  /** Makes an image of a rootfs tar (`docker import`). Event: `import`. Resolves to the image ID. */
  import(source: ImportSource, options?: ImageImportOptions): Promise<{ id: string }>;
  history(reference: string): Promise<ImageHistoryEntry[]>;
  /** Removes dangling (or, with `dangling=false`, all unused) images and their unused blobs. Event: `prune`. */
  prune(options?: ImagePruneOptions): Promise<ImagePruneReport>;
  /**
   * Asks the reference's registry what it names (descriptor and platforms) without pulling
   * (docker's `GET /distribution/{name}/json`). Unknown references are `NotFound`.
   */
  inspectDistribution(reference: string, options?: ImageDistributionOptions): Promise<ImageDistributionInspect>;
}

/**
 * Containers of an engine. A container is named by ID, unique ID prefix or name; unknown
 * ones are `NotFound` (`No such container: x`); operations in the wrong state are
 * `FailedPrecondition` (docker's 409 for those that are conflicts).
 */
export interface ContainersApi {
  /** Creates a container from a local image (`NotFound` if absent). Event: `create`. */
  create(options: ContainerCreateOptions): Promise<ContainerCreateResult>;
  /** Starts it; resolves when the process runs. Starting a running container does nothing. Event: `start`. */
  start(id: string): Promise<void>;
  /** Stop signal, then SIGKILL after the timeout; resolves when it has exited. Events: `kill`, `die`, `stop`. */
  stop(id: string, options?: ContainerStopOptions): Promise<void>;
  /** Sends a signal (default SIGKILL); not running → `FailedPrecondition`. Event: `kill`. */
  kill(id: string, signal?: string): Promise<void>;
  /** Stop (if running) then start. Event: `restart`. */
  restart(id: string, options?: ContainerStopOptions): Promise<void>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  /** Removes it; running without `force` → `Conflict`. Event: `destroy`. */
  remove(id: string, options?: ContainerRemoveOptions): Promise<void>;
  /** Resolves when the condition holds, with the exit code. */
  wait(id: string, options?: { condition?: WaitCondition; signal?: AbortSignal }): Promise<WaitResult>;
  logs(id: string, options?: ContainerLogsOptions): AsyncIterable<LogChunk>;
  attach(id: string, options?: ContainerAttachOptions): Promise<AttachSession>;
  /**
   * Resizes the terminal of a running container made with `tty`. Optional (added after
   * the first implementations); Berth's engines have it.
   */
  resize?(id: string, size: { width: number; height: number }): Promise<void>;
  /** Creates an exec in a running container; resolves to its ID. Event: `exec_create`. */
  exec(id: string, options: ExecCreateOptions): Promise<{ id: string }>;
  /** Starts an exec. Events: `exec_start`, `exec_die`. */
  execStart(execId: string, options?: ExecStartOptions): Promise<ExecSession>;
  execInspect(execId: string): Promise<ExecInspect>;
  /** Resizes the terminal of a running exec made with `tty`. Optional, as {@link ContainersApi.resize}. */
  execResize?(execId: string, size: { width: number; height: number }): Promise<void>;
  /** docker's inspect document; with `size`, `sizeRw` and `sizeRootFs` are measured. */
  inspect(id: string, options?: ContainerInspectOptions): Promise<ContainerInspect>;
  /** docker's `ps`; with `size`, each summary carries `sizeRw` and `sizeRootFs`. */
  list(options?: ContainerListOptions): Promise<ContainerSummary[]>;
  top(id: string, psArgs?: string): Promise<TopResult>;
  stats(id: string, options?: ContainerStatsOptions): AsyncIterable<ContainerStats>;
  /** Renames; a taken name → `Conflict`. Event: `rename`. */
  rename(id: string, newName: string): Promise<void>;
  /** Changes resources and restart policy. Event: `update`. */
  update(id: string, options: ContainerUpdateOptions): Promise<{ warnings: string[] }>;
  /**
   * A tar of `path` in the container, with its stat. Read it to its end or destroy it: a
   * running container stays (invisibly) frozen, its other operations waiting, until then.
   */
  getArchive(id: string, path: string): Promise<{ stat: ContainerPathStat; archive: Readable }>;
  statPath(id: string, path: string): Promise<ContainerPathStat>;
  /** Extracts a tar into directory `path` of the container. */
  putArchive(id: string, path: string, archive: Readable, options?: { noOverwriteDirNonDir?: boolean }): Promise<void>;
  /** The container's file system as a tar. Event: `export`. */
  export(id: string, target: ArchiveTarget): Promise<void>;
  /** A new image of the container's changes. Event: `commit`. */
  commit(id: string, options?: ContainerCommitOptions): Promise<{ id: string }>;
  /** `docker diff`. */
  changes(id: string): Promise<ContainerChange[]>;
  /** Removes stopped containers. Event: `prune`. */
  prune(options?: ContainerPruneOptions): Promise<ContainerPruneReport>;
}

/** Networks of an engine (`bridge`, `host`, `none` are predefined). */
export interface NetworksApi {
  /** A taken name → `Conflict`; predefined names → `PermissionDenied`. Event: `create`. */
  create(options: NetworkCreateOptions): Promise<NetworkInspect>;
  inspect(idOrName: string): Promise<NetworkInspect>;
  list(options?: NetworkListOptions): Promise<NetworkInspect[]>;
  /** In use → `Conflict`; predefined → `PermissionDenied`. Event: `destroy`. */
  remove(idOrName: string): Promise<void>;
  /** Attaches a container (running: now; created: at start). Event: `connect`. */
  connect(idOrName: string, container: string, options?: NetworkConnectOptions): Promise<Endpoint | undefined>;
  /** Event: `disconnect`. */
  disconnect(idOrName: string, container: string, options?: { force?: boolean }): Promise<void>;
  prune(options?: NetworkPruneOptions): Promise<NetworkPruneReport>;
}

/** Volumes of an engine. */
export interface VolumesApi {
  /** Idempotent per name and driver. Event: `create`. */
  create(options?: VolumeCreateOptions): Promise<Volume>;
  inspect(name: string): Promise<Volume>;
  list(options?: VolumeListOptions): Promise<VolumeListResult>;
  /** In use → `Conflict`. Event: `destroy`. */
  remove(name: string, options?: VolumeRemoveOptions): Promise<void>;
  prune(options?: VolumePruneOptions): Promise<VolumePruneReport>;
}

/** Engine-wide facts and cleanup. */
export interface SystemApi {
  info(): Promise<EngineInfo>;
  version(): Promise<EngineVersion>;
  df(): Promise<DiskUsage>;
  /** Stopped containers, unused networks, dangling (or all unused) images, and with `volumes` unused volumes. */
  prune(options?: SystemPruneOptions): Promise<SystemPruneReport>;
}

/**
 * A container engine: what Docker Engine does, as a typed in-process API. Implemented by
 * `createEngine` (Linux: runc, overlayfs, bridge networking), `createMemoryEngine` (the
 * same logic over in-memory drivers and a fake runtime) and `@berth/engine-client` (over
 * the Docker API). All pass `describeEngine` from `@berth/engine/conformance`.
 *
 * Lifecycle: created open; `close()` stops supervision and ends event streams —
 * containers keep running (the real engine adopts them when opened again on the same data
 * root). `await using engine = …` closes it.
 */
export interface Engine extends AsyncDisposable {
  readonly images: ImagesApi;
  readonly containers: ContainersApi;
  readonly networks: NetworksApi;
  readonly volumes: VolumesApi;
  readonly system: SystemApi;
  /** Events as they happen (and, with `since`, the buffered past). */
  events(options?: EventsOptions): AsyncIterable<EngineEvent>;
  close(): Promise<void>;
}
