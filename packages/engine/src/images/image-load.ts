import { type ArchiveImage, readDockerArchive, writeImageToStore } from '@berth/image';
import { withSpooledFile } from '../internal/spool.js';
import type { EngineContext } from '../internal/engine-context.js';
import type { ArchiveSource, ImageLoadOptions, ImageLoadResult } from './image-types.js';

/**
 * `docker load`: reads a `docker save` archive (a stream is spooled to a file under the
 * engine's temp dir first: the reader needs random access), copies every image's blobs
 * into the content store, and names it with the archive's tags — a tag already naming
 * another image moves, leaving that one dangling as docker does. Untagged images are kept
 * dangling. Event: `load` per image, by ID.
 */
export async function loadIntoEngine(context: EngineContext, source: ArchiveSource, options: ImageLoadOptions = {}): Promise<ImageLoadResult> {
  const fromPath = async (path: string): Promise<ImageLoadResult> => {
    const archive = await readDockerArchive(path, options.signal ? { signal: options.signal } : {});
    const loaded: ImageLoadResult['images'] = [];
    for (const entry of archive) loaded.push(await storeArchiveImage(context, entry, options.signal));
    return { images: loaded };
  };
  if (typeof source === 'string') return fromPath(source);
  return withSpooledFile(context.components.tempDir, source, fromPath, options.signal);
}

async function storeArchiveImage(context: EngineContext, entry: ArchiveImage, signal: AbortSignal | undefined): Promise<{ id: string; repoTags: string[] }> {
  const target = await writeImageToStore(entry.image, context.components.content, signal ? { signal } : {});
  let id = '';
  if (entry.tags.length === 0) {
    id = (await context.images.putImage({ target })).id;
    context.bus.emit({ type: 'image', action: 'load', actor: { id, attributes: { name: id } } });
  }
  for (const tag of entry.tags) {
    id = (await context.images.putImage({ target, reference: tag })).id;
    context.bus.emit({ type: 'image', action: 'load', actor: { id, attributes: { name: tag } } });
  }
  return { id, repoTags: [...entry.tags] };
}
