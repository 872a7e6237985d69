/** A mount to perform, in `mount(8)` terms. */
export interface Mount {
  /** File system type: `overlay`, `bind`, … */
  type: string;
  /** Source: a directory, or `overlay`. */
  source: string;
  /** Options as `mount -o` takes them (`lowerdir=…`, `ro`, `rbind`). */
  options: string[];
}

/** The kind of a snapshot: committed ones are immutable parents. */
export type SnapshotKind = 'committed' | 'active' | 'view';

/** What a snapshotter records of a snapshot. */
export interface SnapshotInfo {
  /** The key (active, view) or name (committed). */
  key: string;
  kind: SnapshotKind;
  /** The committed snapshot this one is layered on. */
  parent?: string;
  labels: Record<string, string>;
  createdAt: Date;
}

/** Disk usage of a snapshot's own layer (not its parents). */
export interface SnapshotUsage {
  /** Bytes. */
  size: number;
  inodes: number;
}

/**
 * How a layer applied into an active snapshot must encode deletions. `oci`: delete the
 * lower file in place (the snapshot is a full copy). `overlay`: record a whiteout as
 * overlayfs wants it (char device 0:0, `trusted.overlay.opaque=y` on directories), since
 * the lower files live in other directories.
 */
export type WhiteoutFormat = 'oci' | 'overlay';

/**
 * Layered file systems for images and containers (containerd's snapshotter). Lifecycle:
 * `prepare(key, parent)` makes an active, writable snapshot and returns its mounts; after
 * writing, `commit(name, key)` turns it into an immutable committed snapshot that others
 * can use as `parent`; `view` makes a read-only one; `remove` deletes any snapshot that
 * has no children.
 */
export interface Snapshotter {
  /** How deletions must be encoded when writing into {@link Snapshotter.applyTarget}. */
  readonly whiteoutFormat: WhiteoutFormat;
  /** Creates an active snapshot; `AlreadyExists` if `key` is taken, `NotFound` for an unknown parent. */
  prepare(key: string, parent?: string, options?: { labels?: Record<string, string> }): Promise<Mount[]>;
  /** Creates a read-only view of `parent`. */
  view(key: string, parent?: string, options?: { labels?: Record<string, string> }): Promise<Mount[]>;
  /** The mounts of an existing active snapshot or view. */
  mounts(key: string): Promise<Mount[]>;
  /**
   * A directory into which a layer can be applied directly, without mounting, for an
   * active snapshot (the overlay upper dir, or the copy). Writes there must encode
   * deletions in {@link Snapshotter.whiteoutFormat}.
   */
  applyTarget(key: string): Promise<string>;
  /** Commits active snapshot `key` as `name`; the active snapshot is gone afterwards. */
  commit(name: string, key: string, options?: { labels?: Record<string, string> }): Promise<void>;
  /** Removes a snapshot; `FailedPrecondition` if others use it as parent. */
  remove(key: string): Promise<void>;
  /** Info of a snapshot; `NotFound` if absent. */
  stat(key: string): Promise<SnapshotInfo>;
  /** Every snapshot. */
  list(): Promise<SnapshotInfo[]>;
  /** Disk usage of a snapshot's own layer. */
  usage(key: string): Promise<SnapshotUsage>;
}
