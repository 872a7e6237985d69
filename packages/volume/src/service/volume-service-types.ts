import type { VolumeDriver } from '../volume-driver.js';
import type { VolumeFilters } from './volume-filters.js';
import type { VolumeRecordStore } from './volume-record-store.js';

/** Label Docker puts on volumes created without a name (the value is empty). */
export const ANONYMOUS_VOLUME_LABEL = 'com.docker.volume.anonymous';

/** Options of {@link createVolumeService}. */
export interface VolumeServiceOptions {
  /** The drivers volumes can be created with, by their `name`. */
  drivers: readonly VolumeDriver[];
  /** Driver of volumes created without one (default `local` if given, else the first driver). */
  defaultDriver?: string;
  /** Where labels, options and copy-up flags are kept (default: in memory). */
  store?: VolumeRecordStore;
  /**
   * Called after each change, for the engine's event bus (Docker's volume events). Mount
   * events carry container facts, so the engine emits those itself.
   */
  onEvent?: (event: VolumeEvent) => void;
}

/** A change the volume service made, as Docker reports it in `docker events`. */
export interface VolumeEvent {
  /** `create` and `destroy` of one volume; `prune` once per prune (with an empty `name`). */
  action: 'create' | 'destroy' | 'prune';
  name: string;
  /** `driver` for create and destroy; `reclaimed` (bytes) for prune. */
  attributes: Record<string, string>;
}

/** Docker's `docker volume inspect` document. */
export interface Volume {
  Name: string;
  Driver: string;
  /** Host path of the volume's data. */
  Mountpoint: string;
  /** RFC 3339, seconds precision. */
  CreatedAt: string;
  Labels: Record<string, string>;
  /** The driver options it was created with. */
  Options: Record<string, string>;
  Scope: 'local' | 'global';
  /** Driver-specific facts, when the driver has any. */
  Status?: Record<string, unknown>;
  /** Present when asked for (`size: true`). */
  UsageData?: VolumeUsageData;
}

/** Disk use and users of a volume (`docker system df -v`). */
export interface VolumeUsageData {
  /** Bytes of the volume's data; -1 when the driver cannot tell. */
  Size: number;
  /** Number of containers using the volume. */
  RefCount: number;
}

/** Options of {@link VolumeService.create}. */
export interface VolumeCreateOptions {
  /** The volume's name; none makes an anonymous volume (64 hex characters, {@link ANONYMOUS_VOLUME_LABEL}). */
  name?: string;
  /** Driver name (default: the service's default driver). */
  driver?: string;
  /** Driver options (`docker volume create -o type=tmpfs`). */
  driverOptions?: Record<string, string>;
  labels?: Record<string, string>;
  /**
   * A container to register as a user in the same step, so a concurrent prune cannot
   * remove the volume between its creation and its use.
   */
  user?: string;
}

/** Options of {@link VolumeService.list}. */
export interface VolumeListOptions {
  /**
   * Docker's filters: `name` (substring; any value matches), `driver` (exact; any value),
   * `label` (`key` or `key=value`; all must match), `dangling` (`true`: used by no
   * container). Other keys are `InvalidArgument`.
   */
  filters?: VolumeFilters;
  /** Compute `UsageData` for each volume. */
  size?: boolean;
}

/** What {@link VolumeService.list} returns (Docker's `VolumeListResponse`). */
export interface VolumeListResult {
  /** Sorted by name. */
  Volumes: Volume[];
  /** Problems that did not stop the listing (a driver that is not available). */
  Warnings: string[];
}

/** Options of {@link VolumeService.remove}. */
export interface VolumeRemoveOptions {
  /** Succeed when the volume does not exist. Never removes a volume in use. */
  force?: boolean;
}

/** Options of {@link VolumeService.prune}. */
export interface VolumePruneOptions {
  /**
   * Docker's prune filters: `label`, `label!` (terms as for list) and `all` (`true`: also
   * named volumes — by default only anonymous ones are pruned, as in Docker 23+).
   */
  filters?: VolumeFilters;
  signal?: AbortSignal;
}

/** What {@link VolumeService.prune} did (Docker's `VolumesPruneReport`). */
export interface VolumePruneReport {
  VolumesDeleted: string[];
  /** Bytes freed, as measured before removal. */
  SpaceReclaimed: number;
}

/** Options of {@link VolumeService.mount}. */
export interface VolumeMountOptions {
  /**
   * The image's content at the mount path (a directory in the container's root filesystem),
   * copied into the volume if the volume is empty and was never populated (Docker's
   * copy-up; omit for `nocopy`). Volumes with driver options (tmpfs, bind) are filled
   * whenever they are empty: their data does not outlive a mount, so no flag is kept.
   */
  copyFrom?: string;
}

/**
 * Docker's volume semantics over a set of {@link VolumeDriver}s: names unique across
 * drivers, idempotent creation, labels and driver options, anonymous volumes, filters,
 * users (containers) that block removal, prune, and copy-up at first mount.
 *
 * Users are held in memory: after a restart the engine registers its containers' volumes
 * again (`addUser`) before serving requests. Mounts are the drivers' (reference counted by
 * mount ID), so a volume can be in use (a created container) without being mounted.
 */
export interface VolumeService {
  /**
   * Creates a volume, or returns the existing one of that name when it has the same driver
   * (or no driver was asked for); options and labels of an existing volume are not changed.
   * A name taken in another driver is a `Conflict`; an invalid name `InvalidArgument`; an
   * unknown driver `NotFound`.
   */
  create(options?: VolumeCreateOptions): Promise<Volume>;
  /** The volume called `name` (`NotFound`: `get NAME: no such volume`). */
  inspect(name: string, options?: { size?: boolean }): Promise<Volume>;
  list(options?: VolumeListOptions): Promise<VolumeListResult>;
  /**
   * Removes a volume and its data. In use by a container → `Conflict` (`remove NAME:
   * volume is in use - [ID, …]`), even with `force`.
   */
  remove(name: string, options?: VolumeRemoveOptions): Promise<void>;
  /** Removes unused volumes (see {@link VolumePruneOptions}); volumes with driver options are kept, as in Docker. */
  prune(options?: VolumePruneOptions): Promise<VolumePruneReport>;
  /** Registers container `containerId` as a user of the volume (idempotent). */
  addUser(name: string, containerId: string): Promise<void>;
  /** Unregisters a user (idempotent; also when the volume is gone). */
  removeUser(name: string, containerId: string): Promise<void>;
  /** The containers using the volume. */
  users(name: string): string[];
  /**
   * Mounts the volume for `mountId` (a container's start) and resolves to the host path to
   * bind into the container, after copy-up (see {@link VolumeMountOptions}).
   */
  mount(name: string, mountId: string, options?: VolumeMountOptions): Promise<string>;
  /** Releases the mount of `mountId`. */
  unmount(name: string, mountId: string): Promise<void>;
  /** Names of the drivers, default first. */
  driverNames(): string[];
}
