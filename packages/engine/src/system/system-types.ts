import type { ContainerSummary } from '../containers/container-types.js';
import type { ImageSummary } from '../images/image-types.js';
import type { Volume } from '../volumes/volume-types.js';

/** `docker info`, the parts that mean something here, camelCased. */
export interface EngineInfo {
  /** Stable ID of this engine's data root. */
  id: string;
  name: string;
  containers: number;
  containersRunning: number;
  containersPaused: number;
  containersStopped: number;
  images: number;
  /** The snapshotter (`overlayfs`, `copy`). */
  driver: string;
  dataRoot: string;
  operatingSystem: string;
  osType: string;
  architecture: string;
  kernelVersion: string;
  ncpu: number;
  memTotal: number;
  serverVersion: string;
  /** Volume and network drivers. */
  plugins: { volume: string[]; network: string[] };
  /** The OCI runtime (`runc`, `fake`). */
  defaultRuntime: string;
  /** The kind of engine: `linux` (createEngine) or `memory` (createMemoryEngine). */
  engineKind: 'linux' | 'memory';
  warnings: string[];
}

/** `docker version`, camelCased. */
export interface EngineVersion {
  version: string;
  /** Docker Engine API version the engine's semantics follow. */
  apiVersion: string;
  minApiVersion: string;
  os: string;
  arch: string;
  kernelVersion: string;
  /** The Node.js version running the engine. */
  nodeVersion: string;
  components: Array<{ name: string; version: string }>;
}

/** `docker system df`. */
export interface DiskUsage {
  /** Bytes of unique image layers. */
  layersSize: number;
  images: ImageSummary[];
  containers: Array<ContainerSummary & { sizeRw: number }>;
  volumes: Volume[];
}

/** Options of `system.prune`. */
export interface SystemPruneOptions {
  /** Every unused image, not only dangling ones. */
  all?: boolean;
  /** Unused (anonymous) volumes too. */
  volumes?: boolean;
  filters?: Record<string, readonly string[]>;
  signal?: AbortSignal;
}

/** What `system.prune` removed. */
export interface SystemPruneReport {
  containersDeleted: string[];
  imagesDeleted: Array<{ untagged: string } | { deleted: string }>;
  networksDeleted: string[];
  volumesDeleted: string[];
  spaceReclaimed: number;
}
