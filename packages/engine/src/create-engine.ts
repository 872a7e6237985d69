import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type OciRuntime, createRuncRuntime } from '@berth/container';
import {
  createCopySnapshotter,
  createFsContentStore,
  createFsImageStore,
  createOverlaySnapshotter,
  mountAll,
  unmountAll,
} from '@berth/image';
import {
  type HostNet,
  Ipam,
  NetworkController,
  NetworkNamespaces,
  type NetworkDriver,
  PortAllocator,
  embeddedDnsUpstreams,
  createBridgeDriver,
  createFileIpamStore,
  createFileNetworkStore,
  createHostDriver,
  createLinuxHostNet,
  createNoneDriver,
  probeHostPort,
  readHostResolvConf,
} from '@berth/network';
import type { AuthOption, RegistryClientOptions } from '@berth/registry-client';
import type { Platform } from '@berth/spec';
import { createFsVolumeRecordStore, createLocalVolumeDriver, createVolumeService } from '@berth/volume';
import { composeEngine } from './compose-engine.js';
import type { Engine } from './engine.js';
import { createFsMetadataStore } from './metadata/metadata-store.js';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /** Where images, volumes, networks and container metadata live (default `/var/lib/berth`). */
  dataRoot?: string;
  /**
   * Runtime state: bundles, network namespaces, runtime sockets (default `/run/berth`). Keep
   * it short (at most ~30 characters): conmon's attach socket paths under it must fit in
   * 108 bytes.
   */
  stateRoot?: string;
  /** Name reported by `info` (default: `berth`). */
  name?: string;
  /**
   * The OCI runtime containers run on: by default runc under conmon (`createRuncRuntime`,
   * persistent files under `<dataRoot>/runtime`, volatile ones under `<stateRoot>/runtime`);
   * `'none'` opens an engine without containers (their creation is `NotImplemented`).
   */
  runtime?: OciRuntime | 'none';
  /** `overlayfs` (default; needs root) or `copy` (any file system, no root; slower). */
  snapshotter?: 'overlayfs' | 'copy';
  /** The host boundary of networking (default: the Linux one: `ip`, `iptables`, `nsenter`). */
  hostNet?: HostNet;
  /** Network drivers (default: `bridge` over `hostNet`, `host`, `none`). */
  networkDrivers?: readonly NetworkDriver[];
  /**
   * Where the embedded DNS of user-defined networks (containers' 127.0.0.11) forwards the
   * names it does not own: `ip`, `ip:port` or `[v6]:port` (default: the host's nameservers).
   */
  dnsUpstreams?: readonly string[];
  /** The default bridge's Linux name and subnet (default `berth0`, an automatic subnet). */
  defaultBridge?: { bridgeName?: string; subnet?: string };
  /** catatonit for `init: true` (default `/usr/bin/catatonit` when present). */
  initPath?: string;
  /** Registry settings and credentials for pull and push. */
  registry?: RegistryClientOptions;
  auth?: AuthOption;
  platform?: Platform;
  /** Events kept for replay (default 1024). */
  eventCapacity?: number;
}

/**
 * Opens the Linux engine on `dataRoot`: a file content store and image store, the overlay
 * snapshotter, the `local` volume driver, bridge networking with embedded DNS, metadata as
 * one atomically written JSON file per object, and the given OCI runtime. Opening again on
 * the same data root restores everything; containers the runtime still runs are adopted
 * and those that died meanwhile are marked exited (and restarted per their policy).
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const dataRoot = options.dataRoot ?? '/var/lib/berth';
  const stateRoot = options.stateRoot ?? '/run/berth';
  await mkdir(dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(stateRoot, { recursive: true, mode: 0o700 });
  const content = await createFsContentStore({ root: join(dataRoot, 'content') });
  const imageStore = await createFsImageStore({ root: join(dataRoot, 'images') });
  const snapshotterKind = options.snapshotter ?? 'overlayfs';
  const snapshotter =
    snapshotterKind === 'copy'
      ? await createCopySnapshotter({ root: join(dataRoot, 'snapshots-copy') })
      : await createOverlaySnapshotter({ root: join(dataRoot, 'snapshots') });
  const volumeDriver = await createLocalVolumeDriver({ root: join(dataRoot, 'volumes') });
  const volumeRecords = await createFsVolumeRecordStore({ root: join(dataRoot, 'volume-meta') });
  const hostNet = options.hostNet ?? createLinuxHostNet();
  const networkRoot = join(dataRoot, 'network');
  const networks = await NetworkController.open({
    drivers: options.networkDrivers ?? [createBridgeDriver({ hostNet, attachmentCacheDir: join(networkRoot, 'cni') }), createHostDriver(), createNoneDriver()],
    ipam: await Ipam.open(createFileIpamStore(networkRoot), { hostSubnets: () => hostNet.listRoutes() }),
    store: createFileNetworkStore(networkRoot),
    ports: new PortAllocator({ probe: probeHostPort }),
    dns: { upstreams: options.dnsUpstreams ?? embeddedDnsUpstreams(await readHostResolvConf()), hostNet },
    ...(options.defaultBridge ? { defaultBridge: options.defaultBridge } : {}),
  });
  await networks.ensurePredefinedNetworks();
  const namespaces = new NetworkNamespaces(hostNet, join(stateRoot, 'netns'));
  const initPath = options.initPath ?? (existsSync('/usr/bin/catatonit') ? '/usr/bin/catatonit' : undefined);
  const runtime =
    options.runtime === 'none'
      ? undefined
      : (options.runtime ?? createRuncRuntime({ root: join(dataRoot, 'runtime'), stateDir: join(stateRoot, 'runtime') }));

  return composeEngine(
    {
      kind: 'linux',
      name: options.name ?? 'berth',
      dataRoot,
      tempDir: join(dataRoot, 'tmp'),
      content,
      imageStore,
      snapshotter,
      snapshotterName: snapshotterKind,
      openVolumes: (onEvent) => createVolumeService({ drivers: [volumeDriver], store: volumeRecords, onEvent }),
      networks,
      metadata: createFsMetadataStore(join(dataRoot, 'metadata')),
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.platform ? { platform: options.platform } : {}),
      runtimeName: runtime?.name ?? 'none',
      ...(runtime
        ? {
            containers: {
              runtime,
              stateRoot,
              logRoot: join(dataRoot, 'containers'),
              netns: namespaces,
              ...(initPath ? { initPath } : {}),
              async mountRootfs(mounts, target) {
                // A single bind (the copying snapshotter) is a directory already.
                const [only] = mounts;
                if (mounts.length === 1 && only?.type === 'bind') return only.source;
                await mkdir(target, { recursive: true });
                await mountAll(mounts, target);
                return target;
              },
              unmountRootfs: (target) => unmountAll(target),
            },
          }
        : {}),
      release: async () => {
        await volumeDriver.close();
      },
    },
    { ...(options.eventCapacity ? { eventCapacity: options.eventCapacity } : {}) },
  );
}
