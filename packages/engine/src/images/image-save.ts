import { type ArchiveImage, writeDockerArchive } from '@berth/image';
import type { EngineContext } from '../internal/engine-context.js';
import type { ArchiveTarget, ImageSaveOptions } from './image-types.js';

const idLike = /^(sha256:)?[0-9a-f]{1,64}$/;

/**
 * `docker save`: the named images into one archive. An image named by reference is saved
 * under that name; one named by ID is saved without names, as docker does. Event: `save`
 * per image, by ID.
 */
export async function saveFromEngine(context: EngineContext, references: readonly string[], target: ArchiveTarget, options: ImageSaveOptions = {}): Promise<void> {
  const entries: ArchiveImage[] = [];
  const saved: Array<{ id: string; name: string }> = [];
  for (const reference of references) {
    const resolved = await context.images.resolve(reference);
    const byId = idLike.test(reference) && resolved.id.replace(/^sha256:/, '').startsWith(reference.replace(/^sha256:/, ''));
    const existing = entries.find((entry) => entry.image === resolved.image);
    if (existing) {
      if (!byId) existing.tags.push(reference);
    } else {
      entries.push({ image: resolved.image, tags: byId ? [] : [reference] });
    }
    saved.push({ id: resolved.id, name: reference });
  }
  await writeDockerArchive(target, entries, options.signal ? { signal: options.signal } : {});
  for (const { id, name } of saved) context.bus.emit({ type: 'image', action: 'save', actor: { id, attributes: { name } } });
}
