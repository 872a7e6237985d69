/**
 * What a driver can do beyond the required operations. The volume service and the
 * conformance suite read these flags instead of probing for methods.
 */
export interface VolumeDriverCapabilities {
  /** `usage(name)` reports the bytes a volume holds (`docker system df`, `UsageData.Size`). */
  usage: boolean;
  /**
   * Where the driver's volumes are visible: `local` to this host only, `global` to every
   * host of a cluster (Docker's `Scope`).
   */
  scope: 'local' | 'global';
}

/** One volume as its driver knows it. */
export interface DriverVolume {
  /** The volume's name, unique within the driver. */
  name: string;
  /**
   * The host path where the volume's data is (or will be, once mounted) visible. Stable for
   * the volume's whole life; with mount options it only holds the data while mounted.
   */
  mountpoint: string;
  /** When the volume was created. */
  createdAt: Date;
  /** The driver options it was created with (`type`, `device`, `o` for `local`). */
  options: Record<string, string>;
  /** Driver-specific facts for `docker volume inspect`'s `Status`, when the driver has any. */
  status?: Record<string, unknown>;
}

/** Options of {@link VolumeDriver.create}. */
export interface CreateDriverVolumeOptions {
  /** Driver options (`docker volume create -o`); a driver rejects the ones it does not know. */
  options?: Record<string, string>;
  /** Labels, for drivers that store them; the volume service keeps its own copy. */
  labels?: Record<string, string>;
}

/**
 * A volume backend, in the style of unstorage drivers: one file exports a factory that
 * returns this object. A driver knows names, data and mounts; labels, users (containers)
 * and Docker's name rules on top of it belong to the volume service.
 *
 * Lifecycle of a volume: `create` → (`mount(id)` … `unmount(id)`)* → `remove`. Mounts are
 * reference counted by mount ID: the first `mount` makes the data visible at the mount
 * point (a driver with mount options mounts a filesystem there), the last `unmount` undoes
 * it. Mounting twice with the same ID counts once; unmounting an ID that is not mounted
 * does nothing, so cleanup after a crash may repeat itself.
 *
 * Errors: `InvalidArgument` for bad names or options, `AlreadyExists` from `create` for a
 * name in use, `NotFound` for unknown names, `Conflict` from `remove` while mounted.
 */
export interface VolumeDriver {
  /** The driver's name as users give it (`local`, `memory`). */
  readonly name: string;
  readonly capabilities: VolumeDriverCapabilities;
  /** Creates an empty volume. */
  create(name: string, options?: CreateDriverVolumeOptions): Promise<DriverVolume>;
  /** Removes a volume and its data. Refused (`Conflict`) while it has mounts. */
  remove(name: string): Promise<void>;
  /** The volume called `name`; `NotFound` if there is none. */
  get(name: string): Promise<DriverVolume>;
  /** Every volume of the driver, in no particular order. */
  list(): Promise<DriverVolume[]>;
  /** Makes the volume's data available for the user `mountId`; resolves to the host path. */
  mount(name: string, mountId: string): Promise<string>;
  /** Releases the mount of `mountId`; the last release unmounts what the first mount mounted. */
  unmount(name: string, mountId: string): Promise<void>;
  /** The mount IDs currently holding the volume. */
  mounts(name: string): Promise<string[]>;
  /** Bytes used by the volume's data. Present when `capabilities.usage` is set. */
  usage?(name: string, signal?: AbortSignal): Promise<number>;
  /**
   * Releases what the driver holds (temporary directories of the memory driver). Mounts of
   * the `local` driver stay: containers may still use them, and the next open adopts them.
   */
  close(): Promise<void>;
}

/** Opens a driver; what a driver file exports (`createLocalVolumeDriver`, `createMemoryVolumeDriver`). */
export type VolumeDriverFactory<Options> = (options: Options) => Promise<VolumeDriver>;
