import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlreadyExistsError, ConflictError, NotFoundError } from '@berth/errdefs';
import { directorySize } from '../internal/directory-size.js';
import { KeyedMutex } from '../internal/keyed-mutex.js';
import type { CreateDriverVolumeOptions, DriverVolume, VolumeDriver } from '../volume-driver.js';
import { validateVolumeName } from '../volume-name.js';
import { isBindMount, parseLocalVolumeOptions } from './local-options.js';
import type { LocalMountSpec } from './local-options.js';

/** Options of {@link createMemoryVolumeDriver}. */
export interface MemoryVolumeDriverOptions {
  /** The driver's name (default `memory`). */
  name?: string;
  /**
   * Directory under which volume directories are made. Default: a private temporary
   * directory, made at open and deleted by `close()`.
   */
  root?: string;
  /** Clock for `createdAt`, so tests and the memory engine can be deterministic. */
  now?: () => Date;
}

interface MemoryVolume {
  name: string;
  createdAt: Date;
  options: Record<string, string>;
  mountSpec: LocalMountSpec | undefined;
  mountIds: Set<string>;
}

/**
 * A driver for tests and the memory engine: the bookkeeping lives in memory (nothing
 * survives `close()`), but every volume has a real, empty temporary directory as its
 * mount point — so files written "in" a container of the fake runtime, copy-up of image
 * content and `usage` behave as with the `local` driver, without root or mounts.
 *
 * It accepts and validates the `local` driver's options and simulates their effect without
 * mounting anything: a `tmpfs` volume loses its content after its last unmount; a bind
 * volume (`type=none,o=bind,device=/path`) mounts as the device path itself.
 */
export async function createMemoryVolumeDriver(options: MemoryVolumeDriverOptions = {}): Promise<VolumeDriver> {
  const driverName = options.name ?? 'memory';
  const now = options.now ?? (() => new Date());
  const ownsRoot = options.root === undefined;
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'berth-memory-volumes-')));
  await mkdir(root, { recursive: true });
  const volumes = new Map<string, MemoryVolume>();
  const locks = new KeyedMutex();

  const dataPath = (name: string) => join(root, name, '_data');
  const describe = (volume: MemoryVolume): DriverVolume => ({
    name: volume.name,
    mountpoint: dataPath(volume.name),
    createdAt: volume.createdAt,
    options: { ...volume.options },
  });
  const lookup = (name: string): MemoryVolume => {
    const volume = volumes.get(name);
    if (volume === undefined) throw new NotFoundError(`get ${name}: no such volume`, { details: { name } });
    return volume;
  };
  /** What a mount of the volume shows: the bind source, else the volume's own directory. */
  const mountedPath = (volume: MemoryVolume) =>
    volume.mountSpec !== undefined && isBindMount(volume.mountSpec) ? volume.mountSpec.device : dataPath(volume.name);

  return {
    name: driverName,
    capabilities: { usage: true, scope: 'local' },

    async create(name, createOptions: CreateDriverVolumeOptions = {}) {
      validateVolumeName(name);
      const volumeOptions = { ...createOptions.options };
      const mountSpec = parseLocalVolumeOptions(volumeOptions);
      return locks.run(name, async () => {
        if (volumes.has(name)) throw new AlreadyExistsError(`volume ${name} already exists`, { details: { name } });
        await rm(join(root, name), { recursive: true, force: true });
        await mkdir(dataPath(name), { recursive: true, mode: 0o755 });
        const volume: MemoryVolume = { name, createdAt: now(), options: volumeOptions, mountSpec, mountIds: new Set() };
        volumes.set(name, volume);
        return describe(volume);
      });
    },

    remove(name) {
      return locks.run(name, async () => {
        const volume = lookup(name);
        if (volume.mountIds.size > 0) {
          throw new ConflictError(`remove ${name}: volume has active mounts`, {
            details: { name, mounts: [...volume.mountIds] },
          });
        }
        volumes.delete(name);
        await rm(join(root, name), { recursive: true, force: true });
      });
    },

    async get(name) {
      return describe(lookup(name));
    },

    async list() {
      return [...volumes.values()].map(describe);
    },

    mount(name, mountId) {
      return locks.run(name, async () => {
        const volume = lookup(name);
        volume.mountIds.add(mountId);
        return mountedPath(volume);
      });
    },

    unmount(name, mountId) {
      return locks.run(name, async () => {
        const volume = lookup(name);
        if (!volume.mountIds.delete(mountId)) return;
        if (volume.mountIds.size === 0 && volume.mountSpec?.type === 'tmpfs') {
          // A tmpfs forgets its content when unmounted.
          await rm(dataPath(name), { recursive: true, force: true });
          await mkdir(dataPath(name), { mode: 0o755 });
        }
      });
    },

    async mounts(name) {
      return [...lookup(name).mountIds];
    },

    async usage(name, signal) {
      const volume = lookup(name);
      return directorySize(dataPath(volume.name), signal);
    },

    async close() {
      volumes.clear();
      if (ownsRoot) await rm(root, { recursive: true, force: true });
    },
  };
}
