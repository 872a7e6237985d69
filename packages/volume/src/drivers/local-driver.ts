import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeFileAtomic } from '@berth/atomic-file';
import { ConflictError, InternalError, NotFoundError, AlreadyExistsError } from '@berth/errdefs';
import { z } from 'zod';
import { directorySize } from '../internal/directory-size.js';
import { KeyedMutex } from '../internal/keyed-mutex.js';
import { mountPointsUnder } from '../internal/mount-table.js';
import type { CreateDriverVolumeOptions, DriverVolume, VolumeDriver } from '../volume-driver.js';
import { validateVolumeName } from '../volume-name.js';
import { parseLocalVolumeOptions } from './local-options.js';
import type { LocalMountSpec } from './local-options.js';
import { createSystemMounter } from './volume-mounter.js';
import type { VolumeMounter } from './volume-mounter.js';

/** Options of {@link createLocalVolumeDriver}. */
export interface LocalVolumeDriverOptions {
  /** Directory holding one directory per volume (`<root>/<name>/_data`); created `0700` if missing. */
  root: string;
  /** The driver's name (default `local`). */
  name?: string;
  /** Mounts filesystems for volumes with options (default: `mount`/`umount` of this host). */
  mounter?: VolumeMounter;
}

/** The data directory inside a volume's directory, named as Docker names it. */
const dataDirName = '_data';
const metadataFileName = 'volume.json';
/** Prefixes of work directories; valid volume names cannot start with a dot, so they never collide. */
const creatingPrefix = '.creating-';
const removingPrefix = '.removing-';

const metadataSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  createdAt: z.iso.datetime(),
  options: z.record(z.string(), z.string()),
});

interface LocalVolume {
  name: string;
  createdAt: Date;
  options: Record<string, string>;
  /** The filesystem to mount on the data directory; none for a plain directory volume. */
  mountSpec: LocalMountSpec | undefined;
  /** Mount IDs holding the volume. */
  mountIds: Set<string>;
  /** Whether `mountSpec` is currently mounted (it may be without users after a restart). */
  mounted: boolean;
}

/**
 * Docker's `local` volume driver: each volume is `<root>/<name>/_data`, described by
 * `<root>/<name>/volume.json`. Volumes are created in a work directory that is renamed into
 * place when complete, and removed by renaming them away first, so after a crash a volume
 * is fully there or not at all (work directories are cleaned when the driver opens).
 *
 * Options follow Docker's driver (`type`, `device`, `o`): `type=tmpfs,device=tmpfs,o=size=64m`
 * or `type=none,o=bind,device=/path` mount that filesystem on the data directory at the
 * volume's first mount and unmount it after its last. A mount found in place when the driver
 * opens is adopted (containers kept running across an engine restart).
 *
 * Removal never deletes through a mount: anything still mounted under the volume is
 * unmounted first, and removal fails if that does not succeed.
 */
export async function createLocalVolumeDriver(options: LocalVolumeDriverOptions): Promise<VolumeDriver> {
  const root = options.root;
  const driverName = options.name ?? 'local';
  const mounter = options.mounter ?? createSystemMounter();
  const volumes = new Map<string, LocalVolume>();
  const locks = new KeyedMutex();

  await mkdir(root, { recursive: true, mode: 0o700 });
  for (const entry of await readdir(root)) {
    const dir = join(root, entry);
    if (entry.startsWith(creatingPrefix) || entry.startsWith(removingPrefix)) {
      await removeDirectorySafely(dir, mounter);
      continue;
    }
    const volume = await loadVolume(dir, entry);
    if (volume === undefined) continue;
    if (volume.mountSpec !== undefined) volume.mounted = await mounter.isMounted(join(dir, dataDirName));
    volumes.set(volume.name, volume);
  }

  const dataPath = (name: string) => join(root, name, dataDirName);
  const describe = (volume: LocalVolume): DriverVolume => ({
    name: volume.name,
    mountpoint: dataPath(volume.name),
    createdAt: volume.createdAt,
    options: { ...volume.options },
  });
  const lookup = (name: string): LocalVolume => {
    const volume = volumes.get(name);
    if (volume === undefined) throw new NotFoundError(`get ${name}: no such volume`, { details: { name } });
    return volume;
  };

  return {
    name: driverName,
    capabilities: { usage: true, scope: 'local' },

    async create(name, createOptions: CreateDriverVolumeOptions = {}) {
      validateVolumeName(name);
      const volumeOptions = { ...createOptions.options };
      const mountSpec = parseLocalVolumeOptions(volumeOptions);
      return locks.run(name, async () => {
        if (volumes.has(name)) throw new AlreadyExistsError(`volume ${name} already exists`, { details: { name } });
        const work = join(root, `${creatingPrefix}${randomBytes(6).toString('hex')}`);
        const volume: LocalVolume = {
          name,
          createdAt: new Date(),
          options: volumeOptions,
          mountSpec,
          mountIds: new Set(),
          mounted: false,
        };
        try {
          await mkdir(join(work, dataDirName), { recursive: true, mode: 0o755 });
          await writeFileAtomic(join(work, metadataFileName), serialise(volume));
          await rename(work, join(root, name));
          await syncDirectory(root);
        } catch (err) {
          await rm(work, { recursive: true, force: true });
          if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (err as NodeJS.ErrnoException).code === 'EEXIST') {
            throw new AlreadyExistsError(`volume already exists under ${join(root, name)}`, { cause: err });
          }
          throw err;
        }
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
        const dir = join(root, name);
        if (volume.mounted) {
          await mounter.unmount(dataPath(name));
          volume.mounted = false;
        }
        const doomed = join(root, `${removingPrefix}${randomBytes(6).toString('hex')}`);
        await assertNothingMounted(dir, mounter);
        await rename(dir, doomed);
        volumes.delete(name);
        await rm(doomed, { recursive: true, force: true });
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
        if (volume.mountSpec !== undefined && !volume.mounted) {
          await mounter.mount(volume.mountSpec, dataPath(name));
          volume.mounted = true;
        }
        volume.mountIds.add(mountId);
        return dataPath(name);
      });
    },

    unmount(name, mountId) {
      return locks.run(name, async () => {
        const volume = lookup(name);
        if (!volume.mountIds.delete(mountId)) return;
        if (volume.mountIds.size === 0 && volume.mounted) {
          await mounter.unmount(dataPath(name));
          volume.mounted = false;
        }
      });
    },

    async mounts(name) {
      return [...lookup(name).mountIds];
    },

    async usage(name, signal) {
      lookup(name);
      return directorySize(dataPath(name), signal);
    },

    async close() {
      // Mounts stay: containers may still use them, and the next open adopts them.
    },
  };
}

function serialise(volume: LocalVolume): Uint8Array {
  const document: z.input<typeof metadataSchema> = {
    version: 1,
    name: volume.name,
    createdAt: volume.createdAt.toISOString(),
    options: volume.options,
  };
  return Buffer.from(`${JSON.stringify(document, null, 2)}\n`);
}

/**
 * Reads one volume directory. Directories that are not volumes (invalid names, no data
 * directory) are left alone and skipped; a data directory without metadata (made by an
 * older layout or by hand) is adopted as a plain volume.
 */
async function loadVolume(dir: string, name: string): Promise<LocalVolume | undefined> {
  try {
    validateVolumeName(name);
  } catch {
    return undefined;
  }
  let text: string | undefined;
  try {
    text = await readFile(join(dir, metadataFileName), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text === undefined) {
    try {
      const stats = await lstat(join(dir, dataDirName));
      if (!stats.isDirectory()) return undefined;
      return { name, createdAt: stats.birthtime, options: {}, mountSpec: undefined, mountIds: new Set(), mounted: false };
    } catch {
      return undefined;
    }
  }
  let parsed;
  try {
    parsed = metadataSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new InternalError(`volume metadata ${join(dir, metadataFileName)} is malformed`, { cause: err });
  }
  return {
    name,
    createdAt: new Date(parsed.createdAt),
    options: parsed.options,
    mountSpec: parseLocalVolumeOptions(parsed.options),
    mountIds: new Set(),
    mounted: false,
  };
}

/** Refuses to go on while anything is mounted at or below `dir`: deleting would reach through it. */
async function assertNothingMounted(dir: string, mounter: VolumeMounter): Promise<void> {
  for (const point of await mountPointsUnder(dir)) {
    await mounter.unmount(point);
  }
  const left = await mountPointsUnder(dir);
  if (left.length > 0) {
    throw new InternalError(`cannot remove volume directory ${dir}: ${left.join(', ')} still mounted`, {
      details: { mounts: left },
    });
  }
}

async function removeDirectorySafely(dir: string, mounter: VolumeMounter): Promise<void> {
  await assertNothingMounted(dir, mounter);
  await rm(dir, { recursive: true, force: true });
}
