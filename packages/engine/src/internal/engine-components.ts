import type { OciRuntime } from '@berth/container';
import type { ContentStore, ImageStore, Mount, Snapshotter } from '@berth/image';
import type { NetworkController } from '@berth/network';
import type { AuthOption, RegistryClientOptions } from '@berth/registry-client';
import type { Platform } from '@berth/spec';
import type { VolumeEvent as VolumeServiceEvent, VolumeService } from '@berth/volume';
import type { MetadataStore } from '../metadata/metadata-store.js';

/**
 * What an engine is made of: the stores and services the factories (`createEngine`,
 * `createMemoryEngine`) open, handed to the one engine implementation. Internal: the
 * public factories decide what goes in.
 */
export interface EngineComponents {
  kind: 'linux' | 'memory';
  /** Engine name reported by `info`. */
  name: string;
  /** Reported by `info`; where the engine keeps its data. */
  dataRoot: string;
  /** Scratch space (spooled uploads, archives); inside the data root for the real engine. */
  tempDir: string;
  content: ContentStore;
  imageStore: ImageStore;
  snapshotter: Snapshotter;
  /** Name of the snapshotter (`overlayfs`, `copy`), reported as docker's storage driver. */
  snapshotterName: string;
  /** Opened with the bus's `onEvent`, so the engine can emit volume events. */
  openVolumes: (onEvent: (event: VolumeServiceEvent) => void) => Promise<VolumeService>;
  networks: NetworkController;
  metadata: MetadataStore;
  /** Registry settings for pull and push. */
  registry?: RegistryClientOptions;
  auth?: AuthOption;
  platform?: Platform;
  /** Name of the OCI runtime (`runc`, `fake`). */
  runtimeName: string;
  /** What containers need; without it the engine has no containers (`NotImplemented`). */
  containers?: ContainerHost;
  /** Releases what the factory opened (after the engine closed its own parts). */
  release: () => Promise<void>;
}

/** Network namespaces of containers (files under the state root, or made-up paths for the memory engine). */
export interface NamespaceProvider {
  /** Creates the namespace of container `id`; resolves to its path. */
  create(id: string): Promise<string>;
  /** The path of an existing namespace. */
  pathOf(id: string): string;
  /** Removes it (absent is fine). */
  remove(id: string): Promise<void>;
}

/** The pieces containers run on: the OCI runtime and the host seams around it. */
export interface ContainerHost {
  runtime: OciRuntime;
  /** Bundles: `<stateRoot>/containers/<id>`. */
  stateRoot: string;
  /** Logs: `<logRoot>/<id>/<id>-json.log`. */
  logRoot: string;
  netns: NamespaceProvider;
  /** catatonit, for `init: true`. */
  initPath?: string;
  /** Makes the snapshot's mounts a directory (bind: its source; overlay: mounted at `target`). */
  mountRootfs(mounts: Mount[], target: string): Promise<string>;
  /** Undoes {@link ContainerHost.mountRootfs}. */
  unmountRootfs(target: string): Promise<void>;
}
