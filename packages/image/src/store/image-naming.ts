import { isNotFound } from '@berth/errdefs';
import type { Descriptor, Digest } from '@berth/spec';
import type { ImageCatalog } from './image-catalog.js';
import { danglingName, isDanglingName } from './image-names.js';
import type { ImageServiceContext } from './image-service-context.js';

/**
 * Points `name` at `target`, Docker's way: an image that loses its last name to this is
 * kept as a dangling image rather than forgotten, and the image `target` belongs to stops
 * being dangling.
 */
export async function setImageName(
  context: ImageServiceContext,
  catalog: ImageCatalog,
  name: string,
  target: Descriptor,
  labels?: Record<string, string>,
): Promise<void> {
  const replaced = catalog.imageOfRecord(name);
  const previous = replaced?.records.find((r) => r.name === name);
  if (previous && previous.target.digest === target.digest) {
    if (labels) await context.images.update(name, { labels });
    return;
  }
  const { id } = await context.reader.idOf(target);
  if (replaced && previous && replaced.id !== id) {
    const others = replaced.records.filter((r) => r.name !== name);
    if (others.length === 0) await keepDangling(context, previous.target, previous.labels);
  }
  await context.images.put({ name, target, labels: labels ?? {} });
  await dropDanglingRecords(context, catalog, id);
}

/** Keeps the image of `target` without a name: creates its placeholder record if missing. */
export async function keepDangling(context: ImageServiceContext, target: Descriptor, labels: Record<string, string> = {}): Promise<void> {
  await context.images.put({ name: danglingName(target.digest), target, labels });
}

/** Removes the dangling placeholders of image `id` (it has a name now, or is being deleted). */
export async function dropDanglingRecords(context: ImageServiceContext, catalog: ImageCatalog, id: Digest): Promise<void> {
  const image = catalog.get(id);
  for (const record of image?.records ?? []) {
    if (isDanglingName(record.name)) await deleteIfPresent(context, record.name);
  }
}

/** Deletes a record, ignoring one that is already gone. */
export async function deleteIfPresent(context: ImageServiceContext, name: string): Promise<void> {
  try {
    await context.images.delete(name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
