import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidArgumentError, NotFoundError, isConflict, isNotFound } from '@berth/errdefs';
import { copyImageContentIntoVolume } from '../copy-up.js';
import { KeyedMutex } from '../internal/keyed-mutex.js';
import type { DriverVolume, VolumeDriver } from '../volume-driver.js';
import { validateVolumeName } from '../volume-name.js';
import { avoidsLabels, booleanFilter, checkFilterKeys, matchesLabels } from './volume-filters.js';
import { createMemoryVolumeRecordStore } from './volume-record-store.js';
import type { VolumeRecord } from './volume-record-store.js';
import { ANONYMOUS_VOLUME_LABEL } from './volume-service-types.js';
import type { Volume, VolumeService, VolumeServiceOptions } from './volume-service-types.js';

const listFilterKeys = ['name', 'driver', 'label', 'dangling'];
const pruneFilterKeys = ['label', 'label!', 'all'];

/**
 * Opens the {@link VolumeService} over `options.drivers`. At open it reconciles its records
 * with the drivers: volumes a driver has without a record (made before the store existed)
 * get one, records whose volume is gone from its driver are dropped. Records of drivers
 * that are not configured are kept and reported as warnings by `list`.
 */
export async function createVolumeService(options: VolumeServiceOptions): Promise<VolumeService> {
  const drivers = new Map<string, VolumeDriver>();
  for (const driver of options.drivers) {
    if (drivers.has(driver.name)) throw new InvalidArgumentError(`volume driver ${driver.name} given twice`);
    drivers.set(driver.name, driver);
  }
  const defaultDriver = options.defaultDriver ?? (drivers.has('local') ? 'local' : options.drivers[0]?.name);
  if (defaultDriver === undefined || !drivers.has(defaultDriver)) {
    throw new InvalidArgumentError(`default volume driver ${String(defaultDriver)} is not among the drivers`);
  }
  const store = options.store ?? createMemoryVolumeRecordStore();
  const records = new Map<string, VolumeRecord>();
  const users = new Map<string, Set<string>>();
  const locks = new KeyedMutex();
  let pruning = false;
  const emit = options.onEvent ?? (() => undefined);

  for (const record of await store.list()) records.set(record.name, record);
  for (const driver of drivers.values()) {
    const present = new Set<string>();
    for (const volume of await driver.list()) {
      present.add(volume.name);
      if (records.has(volume.name)) continue;
      const record = { name: volume.name, driver: driver.name, labels: {}, options: volume.options, populated: false };
      records.set(record.name, record);
      await store.put(record);
    }
    for (const record of [...records.values()]) {
      if (record.driver === driver.name && !present.has(record.name)) {
        records.delete(record.name);
        await store.delete(record.name);
      }
    }
  }

  const noSuchVolume = (name: string) => new NotFoundError(`get ${name}: no such volume`, { details: { name } });
  const driverOf = (record: VolumeRecord): VolumeDriver => {
    const driver = drivers.get(record.driver);
    if (driver === undefined) {
      throw new NotFoundError(`get ${record.name}: volume driver ${record.driver} is not available`, {
        details: { name: record.name, driver: record.driver },
      });
    }
    return driver;
  };
  const lookup = (name: string): VolumeRecord => {
    const record = records.get(name);
    if (record === undefined) throw noSuchVolume(name);
    return record;
  };
  const toVolume = async (record: VolumeRecord, volume: DriverVolume, size: boolean, signal?: AbortSignal) => {
    const driver = driverOf(record);
    const result: Volume = {
      Name: record.name,
      Driver: record.driver,
      Mountpoint: volume.mountpoint,
      CreatedAt: rfc3339(volume.createdAt),
      Labels: { ...record.labels },
      Options: { ...record.options },
      Scope: driver.capabilities.scope,
    };
    if (volume.status !== undefined) result.Status = volume.status;
    if (size) {
      const bytes = driver.capabilities.usage && driver.usage ? await driver.usage(record.name, signal) : -1;
      result.UsageData = { Size: bytes, RefCount: users.get(record.name)?.size ?? 0 };
    }
    return result;
  };
  /** The driver's volume; a record whose volume vanished from its driver is purged. */
  const driverVolume = async (record: VolumeRecord): Promise<DriverVolume> => {
    try {
      return await driverOf(record).get(record.name);
    } catch (err) {
      if (isNotFound(err) && drivers.has(record.driver)) {
        records.delete(record.name);
        await store.delete(record.name);
        throw noSuchVolume(record.name);
      }
      throw err;
    }
  };
  const addUserLocked = (name: string, containerId: string) => {
    let set = users.get(name);
    if (set === undefined) users.set(name, (set = new Set()));
    set.add(containerId);
  };

  return {
    async create(createOptions = {}) {
      const anonymous = createOptions.name === undefined || createOptions.name === '';
      const name = anonymous ? randomBytes(32).toString('hex') : createOptions.name!;
      validateVolumeName(name);
      return locks.run(name, async () => {
        const existing = records.get(name);
        if (existing !== undefined) {
          if (createOptions.driver !== undefined && createOptions.driver !== existing.driver) {
            throw new ConflictError(
              `create ${name}: driver '${existing.driver}' already has volume '${name}': volume name must be unique`,
              { details: { name, driver: existing.driver } },
            );
          }
          const volume = await driverVolume(existing);
          if (createOptions.user !== undefined) addUserLocked(name, createOptions.user);
          return toVolume(existing, volume, false);
        }
        const driverName = createOptions.driver ?? defaultDriver;
        const driver = drivers.get(driverName);
        if (driver === undefined) {
          throw new NotFoundError(`create ${name}: error looking up volume plugin ${driverName}: plugin "${driverName}" not found`, {
            details: { name, driver: driverName },
          });
        }
        const labels = { ...createOptions.labels, ...(anonymous ? { [ANONYMOUS_VOLUME_LABEL]: '' } : {}) };
        const driverOptions = { ...createOptions.driverOptions };
        const volume = await driver.create(name, { options: driverOptions, labels });
        const record: VolumeRecord = { name, driver: driverName, labels, options: driverOptions, populated: false };
        try {
          await store.put(record);
        } catch (err) {
          await driver.remove(name).catch(() => undefined);
          throw err;
        }
        records.set(name, record);
        if (createOptions.user !== undefined) addUserLocked(name, createOptions.user);
        emit({ action: 'create', name, attributes: { driver: driverName } });
        return toVolume(record, volume, false);
      });
    },

    async inspect(name, inspectOptions = {}) {
      const record = lookup(name);
      return toVolume(record, await driverVolume(record), inspectOptions.size ?? false);
    },

    async list(listOptions = {}) {
      const filters = listOptions.filters ?? {};
      checkFilterKeys(filters, listFilterKeys);
      const dangling = booleanFilter(filters, 'dangling');
      const names = filters.name ?? [];
      const driverNames = filters.driver ?? [];
      const labels = filters.label ?? [];
      const warnings: string[] = [];
      const volumes: Volume[] = [];
      for (const record of [...records.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        if (!drivers.has(record.driver)) {
          warnings.push(`volume ${record.name}: volume driver ${record.driver} is not available`);
          continue;
        }
        if (names.length > 0 && !names.some((part) => record.name.includes(part))) continue;
        if (driverNames.length > 0 && !driverNames.includes(record.driver)) continue;
        if (!matchesLabels(record.labels, labels)) continue;
        if (dangling !== undefined && dangling === (users.get(record.name)?.size ?? 0) > 0) continue;
        let volume: DriverVolume;
        try {
          volume = await driverVolume(record);
        } catch (err) {
          if (isNotFound(err)) continue;
          throw err;
        }
        volumes.push(await toVolume(record, volume, listOptions.size ?? false));
      }
      return { Volumes: volumes, Warnings: warnings };
    },

    remove(name, removeOptions = {}) {
      return locks.run(name, async () => {
        const record = records.get(name);
        if (record === undefined) {
          if (removeOptions.force) return;
          throw noSuchVolume(name);
        }
        const holders = users.get(name);
        if (holders !== undefined && holders.size > 0) {
          throw new ConflictError(`remove ${name}: volume is in use - [${[...holders].join(', ')}]`, {
            details: { name, containers: [...holders] },
          });
        }
        try {
          await driverOf(record).remove(name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        records.delete(name);
        users.delete(name);
        await store.delete(name);
        emit({ action: 'destroy', name, attributes: { driver: record.driver } });
      });
    },

    async prune(pruneOptions = {}) {
      const filters = pruneOptions.filters ?? {};
      checkFilterKeys(filters, pruneFilterKeys);
      const all = booleanFilter(filters, 'all') ?? false;
      if (pruning) throw new ConflictError('a prune operation is already running');
      pruning = true;
      try {
        const report = { VolumesDeleted: [] as string[], SpaceReclaimed: 0 };
        const candidates = [...records.values()].filter(
          (record) =>
            drivers.has(record.driver) &&
            Object.keys(record.options).length === 0 &&
            (all || Object.hasOwn(record.labels, ANONYMOUS_VOLUME_LABEL)) &&
            matchesLabels(record.labels, filters.label ?? []) &&
            avoidsLabels(record.labels, filters['label!'] ?? []),
        );
        for (const candidate of candidates) {
          pruneOptions.signal?.throwIfAborted();
          await locks.run(candidate.name, async () => {
            const record = records.get(candidate.name);
            if (record === undefined || (users.get(record.name)?.size ?? 0) > 0) return;
            const driver = driverOf(record);
            const bytes = driver.capabilities.usage && driver.usage ? await driver.usage(record.name).catch(() => 0) : 0;
            try {
              await driver.remove(record.name);
            } catch (err) {
              // Mounted by something that is not a container user: keep it, as Docker does.
              if (isConflict(err)) return;
              if (!isNotFound(err)) throw err;
            }
            records.delete(record.name);
            users.delete(record.name);
            await store.delete(record.name);
            report.VolumesDeleted.push(record.name);
            report.SpaceReclaimed += bytes;
            emit({ action: 'destroy', name: record.name, attributes: { driver: record.driver } });
          });
        }
        emit({ action: 'prune', name: '', attributes: { reclaimed: String(report.SpaceReclaimed) } });
        return report;
      } finally {
        pruning = false;
      }
    },

    addUser(name, containerId) {
      return locks.run(name, async () => {
        lookup(name);
        addUserLocked(name, containerId);
      });
    },

    removeUser(name, containerId) {
      return locks.run(name, async () => {
        const set = users.get(name);
        set?.delete(containerId);
        if (set?.size === 0) users.delete(name);
      });
    },

    users(name) {
      return [...(users.get(name) ?? [])];
    },

    mount(name, mountId, mountOptions = {}) {
      return locks.run(name, async () => {
        const record = lookup(name);
        const driver = driverOf(record);
        const path = await driver.mount(name, mountId);
        if (mountOptions.copyFrom === undefined || record.populated) return path;
        try {
          const copied = await copyImageContentIntoVolume(mountOptions.copyFrom, path);
          // Data of volumes with mount options (a tmpfs) does not outlive the mount: such a
          // volume is filled again whenever it comes up empty, so no flag is recorded.
          if (copied && Object.keys(record.options).length === 0) {
            const updated = { ...record, populated: true };
            await store.put(updated);
            records.set(name, updated);
          }
        } catch (err) {
          await driver.unmount(name, mountId).catch(() => undefined);
          throw err;
        }
        return path;
      });
    },

    unmount(name, mountId) {
      return locks.run(name, async () => driverOf(lookup(name)).unmount(name, mountId));
    },

    driverNames() {
      return [defaultDriver, ...[...drivers.keys()].filter((name) => name !== defaultDriver)];
    },
  };
}

/** Docker's `CreatedAt`: RFC 3339 in UTC, whole seconds. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
