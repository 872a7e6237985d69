/** `docker volume inspect`, camelCased. */
export interface Volume {
  name: string;
  driver: string;
  /** Host path of the data. */
  mountpoint: string;
  createdAt: Date;
  labels: Record<string, string>;
  options: Record<string, string>;
  scope: 'local' | 'global';
  status?: Record<string, unknown>;
  /** When asked for: bytes (-1 unknown) and the number of containers using it. */
  usageData?: { size: number; refCount: number };
}

/** Options of `volumes.create`. */
export interface VolumeCreateOptions {
  /** None makes an anonymous volume (64 hex characters). */
  name?: string;
  driver?: string;
  driverOptions?: Record<string, string>;
  labels?: Record<string, string>;
}

/** Options of `volumes.list`. */
export interface VolumeListOptions {
  /** docker's filters: `name`, `driver`, `label`, `dangling`. */
  filters?: Record<string, readonly string[]>;
}

/** What `volumes.list` returns. */
export interface VolumeListResult {
  volumes: Volume[];
  warnings: string[];
}

/** Options of `volumes.remove`. */
export interface VolumeRemoveOptions {
  /** Succeed when the volume does not exist (never removes one in use). */
  force?: boolean;
}

/** Options of `volumes.prune`. */
export interface VolumePruneOptions {
  /** `label`, `label!`, `all` (`true`: named volumes too). */
  filters?: Record<string, readonly string[]>;
  signal?: AbortSignal;
}

/** What `volumes.prune` removed. */
export interface VolumePruneReport {
  volumesDeleted: string[];
  spaceReclaimed: number;
}
