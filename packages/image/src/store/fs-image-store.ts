import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTempFiles, writeFileAtomic } from '@berth/atomic-file';
import { InternalError } from '@berth/errdefs';
import { descriptorSchema } from '@berth/spec';
import { z } from 'zod';
import { createImageRecordTable } from './image-record-table.js';
import type { ImageRecord, ImageStore } from './image-store.js';

/** Options of {@link createFsImageStore}. */
export interface FsImageStoreOptions {
  /** Directory holding the store's file (`images.json`); created if missing. */
  root: string;
}

const fileName = 'images.json';

const storedRecordSchema = z.object({
  name: z.string().min(1),
  target: descriptorSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  labels: z.record(z.string(), z.string()),
});

const storeFileSchema = z.object({
  version: z.literal(1),
  images: z.array(storedRecordSchema),
});

/**
 * An {@link ImageStore} persisted in one JSON file, `<root>/images.json`. Every change
 * rewrites the file atomically (temp file, fsync, rename, fsync of the directory), so after
 * a crash the file holds the state before or after the last change, never a torn write.
 * Temporary files a crash left behind are removed when the store is opened. The file is
 * read once, at open; one process should own a root at a time.
 *
 * Rejects with `Internal` if the file exists but is not a valid store file: it is never
 * silently discarded.
 */
export async function createFsImageStore(options: FsImageStoreOptions): Promise<ImageStore> {
  const path = join(options.root, fileName);
  await mkdir(options.root, { recursive: true });
  await removeStaleTempFiles(path);
  const initial = await load(path);
  return createImageRecordTable(initial, (records) => writeFileAtomic(path, serialise(records)));
}

async function load(path: string): Promise<ImageRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InternalError(`image store file ${path} is not valid JSON`, { cause: err });
  }
  const parsed = storeFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InternalError(
      `image store file ${path} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data.images.map((r) => ({ ...r, createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) }));
}

function serialise(records: ImageRecord[]): Uint8Array {
  const file: z.input<typeof storeFileSchema> = {
    version: 1,
    images: records.map((r) => ({
      name: r.name,
      target: r.target,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      labels: r.labels,
    })),
  };
  return Buffer.from(`${JSON.stringify(file, null, 2)}\n`);
}
