import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ArchiveImage,
  createCopySnapshotter,
  createMemoryContentStore,
  createMemoryImageStore,
  mountsToDirectory,
} from '@berth/image';
import {
  Ipam,
  NetworkController,
  PortAllocator,
  createHostDriver,
  createMemoryDriver,
  createMemoryIpamStore,
  createMemoryNetworkStore,
  createNoneDriver,
} from '@berth/network';
import { type OciRuntime, createFakeRuntime } from '@berth/container';
import type { Platform } from '@berth/spec';
import { createMemoryVolumeDriver, createVolumeService } from '@berth/volume';
import { composeEngine } from './compose-engine.js';
import type { Engine } from './engine.js';
import { createMemoryMetadataStore } from './metadata/metadata-store.js';

/** Options of {@link createMemoryEngine}. */
export interface MemoryEngineOptions {
  /**
   * Images present from the start, with their names (`busyboxImage()` from
   * `@berth/image/testing` as `busybox:latest`). No registry is needed for them.
   */
  images?: readonly ArchiveImage[];
  /** Name reported by `info` (default `berth-memory`). */
  name?: string;
  /** Platform images resolve to (default: this machine's). */
  platform?: Platform;
  /** Events kept for replay (default 1024). */
  eventCapacity?: number;
  /**
   * The OCI runtime (default: a new fake runtime from `@berth/container`). Pass your own
   * fake to script process behaviour or inject faults.
   */
  runtime?: OciRuntime;
}

/**
 * An engine for tests and for embedding without root: the same engine code as
 * `createEngine`, over the in-memory content and image stores, a copying snapshotter in a
 * private temporary directory, the memory volume driver (named `local`), the memory network
 * driver (standing in for `bridge`, plus `host` and `none`) and the fake OCI runtime
 * (processes are simulated: `echo`, `sh -c 'exit 3'`, `sleep`, `cat`… behave as busybox's). It
 * touches nothing outside its temporary directory, which `close()` removes (with the
 * simulated processes of the runtime it made; a runtime passed in is left as it is).
 */
export async function createMemoryEngine(options: MemoryEngineOptions = {}): Promise<Engine> {
  const root = await mkdtemp(join(tmpdir(), 'berth-memory-engine-'));
  try {
    const content = createMemoryContentStore();
    const imageStore = createMemoryImageStore();
    const snapshotter = await createCopySnapshotter({ root: join(root, 'snapshots') });
    const volumeDriver = await createMemoryVolumeDriver({ name: 'local', root: join(root, 'volumes') });
    const networks = await NetworkController.open({
      drivers: [createMemoryDriver({ type: 'bridge' }), createHostDriver(), createNoneDriver()],
      ipam: await Ipam.open(createMemoryIpamStore()),
      store: createMemoryNetworkStore(),
      ports: new PortAllocator(),
    });
    await networks.ensurePredefinedNetworks();
    const runtime = options.runtime ?? createFakeRuntime();
    const engine = await composeEngine(
      {
        kind: 'memory',
        name: options.name ?? 'berth-memory',
        dataRoot: root,
        tempDir: join(root, 'tmp'),
        content,
        imageStore,
        snapshotter,
        snapshotterName: 'copy',
        openVolumes: (onEvent) => createVolumeService({ drivers: [volumeDriver], onEvent }),
        networks,
        metadata: createMemoryMetadataStore(),
        ...(options.platform ? { platform: options.platform } : {}),
        runtimeName: runtime.name,
        containers: {
          runtime,
          stateRoot: join(root, 'state'),
          logRoot: join(root, 'containers'),
          // No namespaces in memory: a path names each container's, for the memory network driver.
          netns: {
            create: async (id) => join(root, 'netns', id),
            pathOf: (id) => join(root, 'netns', id),
            remove: async () => undefined,
          },
          // The copying snapshotter's mounts are plain directories: nothing to mount.
          mountRootfs: async (mounts) => mountsToDirectory(mounts),
          unmountRootfs: async () => undefined,
        },
        release: async () => {
          // A runtime the engine made dies with it: its simulated processes would keep timers alive.
          if (!options.runtime) {
            for (const container of await runtime.list()) await runtime.delete(container.id, { force: true }).catch(() => undefined);
          }
          await volumeDriver.close();
          await rm(root, { recursive: true, force: true });
        },
      },
      { ...(options.eventCapacity ? { eventCapacity: options.eventCapacity } : {}), ...(options.images ? { images: options.images } : {}) },
    );
    return engine;
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}
