import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { removeStaleTempFiles } from '@berth/atomic-file';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
} from '@berth/errdefs';
import { diskUsage } from './disk-usage.js';
import { SnapshotMetadata, type SnapshotRecord, metadataFileName, toSnapshotInfo } from './snapshot-metadata.js';
import type { Mount, SnapshotInfo, SnapshotUsage, Snapshotter, WhiteoutFormat } from './snapshotter.js';

/**
 * What differs between directory-based snapshotters (overlay, copy): how a new snapshot's
 * directory is filled and how it is mounted. Each snapshot owns `snapshots/<id>/`, with
 * its file tree in `fs/`; `ancestors` are the directories of its parent chain, nearest first.
 */
export interface SnapshotLayout {
  readonly whiteoutFormat: WhiteoutFormat;
  /** Fills the (existing, empty) directory of a new active snapshot or view: at least `fs/`. */
  create(directory: string, kind: 'active' | 'view', ancestors: string[]): Promise<void>;
  /** The mounts of an active snapshot or view. */
  mounts(directory: string, kind: 'active' | 'view', ancestors: string[]): Mount[];
}

/** A snapshot being created: its key is taken and its parent in use, but it is not recorded yet. */
interface PendingSnapshot {
  parent: string | undefined;
}

function validateKey(what: string, key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidArgumentError(`snapshot ${what} must be a non-empty string, got ${JSON.stringify(key)}`);
  }
}

function validateLabels(labels: unknown): Record<string, string> {
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Object.values(labels).some((v) => typeof v !== 'string')) {
    throw new InvalidArgumentError('snapshot labels must map strings to strings');
  }
  return { ...(labels as Record<string, string>) };
}

/**
 * Opens the snapshotter whose state lives under `root`: `metadata.json` (the records) and
 * `snapshots/<id>/` (the trees). Directories no record names — left by a crash between
 * creating a directory and recording it, or between forgetting a record and deleting its
 * directory — are deleted here, so the disk converges on the metadata.
 */
export async function openDirectorySnapshotter(root: string, layout: SnapshotLayout): Promise<Snapshotter> {
  const absoluteRoot = resolve(root);
  const snapshotsDir = join(absoluteRoot, 'snapshots');
  await mkdir(snapshotsDir, { recursive: true, mode: 0o711 });
  const metadata = await SnapshotMetadata.open(absoluteRoot);
  await removeOrphans(absoluteRoot, snapshotsDir, metadata);

  const pending = new Map<string, PendingSnapshot>();
  const directoryOf = (record: Pick<SnapshotRecord, 'id'>) => join(snapshotsDir, record.id);
  const ancestorDirs = (record: SnapshotRecord) => metadata.ancestors(record).map(directoryOf);

  const find = (key: string): SnapshotRecord => {
    validateKey('key', key);
    const record = metadata.get(key);
    if (!record) throw new NotFoundError(`snapshot ${key} does not exist`);
    return record;
  };

  const create = async (
    kind: 'active' | 'view',
    key: string,
    parent: string | undefined,
    options: { labels?: Record<string, string> } | undefined,
  ): Promise<Mount[]> => {
    // Reserve the key and pin the parent under the lock; fill the directory outside it
    // (a copy can take long), then record the snapshot under the lock again.
    const { record, ancestors } = await metadata.exclusive(async () => {
      validateKey('key', key);
      if (parent !== undefined) validateKey('parent', parent);
      const labels = validateLabels(options?.labels);
      if (metadata.get(key) || pending.has(key)) throw new AlreadyExistsError(`snapshot ${key} already exists`);
      let chain: string[] = [];
      if (parent !== undefined) {
        const parentRecord = metadata.get(parent);
        if (!parentRecord) throw new NotFoundError(`parent snapshot ${parent} of ${key} does not exist`);
        if (parentRecord.kind !== 'committed') {
          throw new InvalidArgumentError(`parent snapshot ${parent} of ${key} is ${parentRecord.kind}, not committed`);
        }
        chain = [directoryOf(parentRecord), ...ancestorDirs(parentRecord)];
      }
      pending.set(key, { parent });
      const newRecord: SnapshotRecord = {
        id: metadata.allocateId(),
        key,
        kind,
        ...(parent === undefined ? {} : { parent }),
        labels,
        createdAt: new Date().toISOString(),
      };
      return { record: newRecord, ancestors: chain };
    });
    const directory = directoryOf(record);
    try {
      // A directory under a fresh id can only be a leftover of a crash before its record was written.
      await rm(directory, { recursive: true, force: true });
      await mkdir(directory, { mode: 0o700 });
      await layout.create(directory, kind, ancestors);
      await metadata.exclusive(() => metadata.change([record]));
    } catch (err) {
      await rm(directory, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    } finally {
      pending.delete(key);
    }
    return layout.mounts(directory, kind, ancestors);
  };

  const snapshotter: Snapshotter = {
    whiteoutFormat: layout.whiteoutFormat,
    prepare: (key, parent, options) => create('active', key, parent, options),
    view: (key, parent, options) => create('view', key, parent, options),

    async mounts(key) {
      const record = find(key);
      if (record.kind === 'committed') {
        throw new FailedPreconditionError(`snapshot ${key} is committed: prepare or view it to get mounts`);
      }
      return layout.mounts(directoryOf(record), record.kind, ancestorDirs(record));
    },

    async applyTarget(key) {
      const record = find(key);
      if (record.kind !== 'active') {
        throw new FailedPreconditionError(`snapshot ${key} is ${record.kind}: only active snapshots can be written`);
      }
      return join(directoryOf(record), 'fs');
    },

    commit(name, key, options) {
      return metadata.exclusive(async () => {
        validateKey('name', name);
        const record = find(key);
        const labels = options?.labels === undefined ? record.labels : validateLabels(options.labels);
        if (record.kind !== 'active') {
          throw new FailedPreconditionError(`snapshot ${key} is ${record.kind}: only active snapshots can be committed`);
        }
        if (metadata.get(name) || pending.has(name)) throw new AlreadyExistsError(`snapshot ${name} already exists`);
        const committed: SnapshotRecord = { ...record, key: name, kind: 'committed', labels, createdAt: new Date().toISOString() };
        await metadata.change([committed], [key]);
      });
    },

    async remove(key) {
      const record = await metadata.exclusive(async () => {
        const found = find(key);
        const children = metadata.childrenOf(key).map((r) => r.key);
        for (const [pendingKey, { parent }] of pending) if (parent === key) children.push(pendingKey);
        if (children.length > 0) {
          throw new FailedPreconditionError(`snapshot ${key} is the parent of ${children.join(', ')}: remove those first`, {
            details: { children },
          });
        }
        await metadata.change([], [key]);
        return found;
      });
      const directory = directoryOf(record);
      await rm(directory, { recursive: true, force: true, maxRetries: 3 }).catch((err: unknown) => {
        throw new InternalError(
          `snapshot ${key} is removed but its directory ${directory} could not be deleted (retried when the snapshotter is next opened): ${(err as Error).message}`,
          { cause: err },
        );
      });
    },

    async stat(key): Promise<SnapshotInfo> {
      return toSnapshotInfo(find(key));
    },

    async list(): Promise<SnapshotInfo[]> {
      return metadata.all().map(toSnapshotInfo);
    },

    async usage(key): Promise<SnapshotUsage> {
      const record = find(key);
      return diskUsage(join(directoryOf(record), 'fs'));
    },
  };
  return snapshotter;
}

/** Deletes snapshot directories no record names, and temporary metadata files of interrupted writes. */
async function removeOrphans(root: string, snapshotsDir: string, metadata: SnapshotMetadata): Promise<void> {
  for (const entry of await readdir(snapshotsDir)) {
    if (!metadata.usesId(entry)) await rm(join(snapshotsDir, entry), { recursive: true, force: true });
  }
  await removeStaleTempFiles(join(root, metadataFileName));
}
