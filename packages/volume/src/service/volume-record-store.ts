import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTempFiles, writeFileAtomic } from '@berth/atomic-file';
import { InternalError } from '@berth/errdefs';
import { z } from 'zod';

/** What the volume service remembers about a volume beyond its driver's own facts. */
export interface VolumeRecord {
  name: string;
  /** The driver holding the volume. */
  driver: string;
  labels: Record<string, string>;
  /** The driver options it was created with. */
  options: Record<string, string>;
  /**
   * Whether image content was ever copied into the volume (copy-up). Once set, the volume
   * is never populated again, even if a container empties it.
   */
  populated: boolean;
}

/**
 * Where the volume service keeps its {@link VolumeRecord}s. `put` and `delete` resolve once
 * the change is durable. The engine may implement it over its own metadata store.
 */
export interface VolumeRecordStore {
  /** Every record, as stored. */
  list(): Promise<VolumeRecord[]>;
  /** Adds or replaces the record of `record.name`. */
  put(record: VolumeRecord): Promise<void>;
  /** Forgets the record of `name`; nothing happens if there is none. */
  delete(name: string): Promise<void>;
}

/** A {@link VolumeRecordStore} in memory, for tests and the memory engine. */
export function createMemoryVolumeRecordStore(): VolumeRecordStore {
  const records = new Map<string, VolumeRecord>();
  return {
    async list() {
      return [...records.values()].map(copyRecord);
    },
    async put(record) {
      records.set(record.name, copyRecord(record));
    },
    async delete(name) {
      records.delete(name);
    },
  };
}

/** Options of {@link createFsVolumeRecordStore}. */
export interface FsVolumeRecordStoreOptions {
  /** Directory of the store's file (`volumes.json`); created if missing. */
  root: string;
}

const fileName = 'volumes.json';

const recordSchema = z.object({
  name: z.string().min(1),
  driver: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  options: z.record(z.string(), z.string()),
  populated: z.boolean(),
});

const fileSchema = z.object({ version: z.literal(1), volumes: z.array(recordSchema) });

/**
 * A {@link VolumeRecordStore} in one JSON file, `<root>/volumes.json`, rewritten atomically
 * on every change (temporary file, fsync, rename), so a crash leaves the state before or
 * after the change. Read once at open; one process owns a root at a time. A malformed
 * file is an `Internal` error, never silently discarded.
 */
export async function createFsVolumeRecordStore(options: FsVolumeRecordStoreOptions): Promise<VolumeRecordStore> {
  const path = join(options.root, fileName);
  await mkdir(options.root, { recursive: true });
  await removeStaleTempFiles(path);
  const records = new Map((await load(path)).map((r) => [r.name, r]));
  const save = () =>
    writeFileAtomic(path, Buffer.from(`${JSON.stringify({ version: 1, volumes: [...records.values()] }, null, 2)}\n`));
  return {
    async list() {
      return [...records.values()].map(copyRecord);
    },
    async put(record) {
      records.set(record.name, copyRecord(record));
      await save();
    },
    async delete(name) {
      if (records.delete(name)) await save();
    },
  };
}

async function load(path: string): Promise<VolumeRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    return fileSchema.parse(JSON.parse(text)).volumes;
  } catch (err) {
    throw new InternalError(`volume store file ${path} is malformed`, { cause: err });
  }
}

function copyRecord(record: VolumeRecord): VolumeRecord {
  return { ...record, labels: { ...record.labels }, options: { ...record.options } };
}
