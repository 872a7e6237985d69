import type { EngineContext } from '../internal/engine-context.js';
import { toDeleteEntry } from './image-shapes.js';
import type { ImageDeleteEntry, ImageRemoveOptions } from './image-types.js';

/**
 * `docker rmi` with docker's conflict rules (the image service's). Events, as docker:
 * `untag` per removed name, then `delete` per removed image, each by image ID.
 */
export async function removeFromEngine(context: EngineContext, reference: string, options: ImageRemoveOptions = {}): Promise<ImageDeleteEntry[]> {
  const resolved = await context.images.resolve(reference);
  const entries = (await context.images.remove(reference, options)).map(toDeleteEntry);
  for (const entry of entries) {
    if ('untagged' in entry) {
      context.bus.emit({ type: 'image', action: 'untag', actor: { id: resolved.id, attributes: { name: entry.untagged } } });
    } else {
      context.bus.emit({ type: 'image', action: 'delete', actor: { id: entry.deleted, attributes: { name: entry.deleted } } });
    }
  }
  return entries;
}
