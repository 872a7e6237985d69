import { mkdir } from 'node:fs/promises';
import { importRootfs, writeImageToStore } from '@berth/image';
import type { EngineContext } from '../internal/engine-context.js';
import type { ImageImportOptions, ImportSource } from './image-types.js';

/**
 * `docker import`: a one-layer image of a rootfs tar (spooled under the engine's temp dir
 * when it is a stream), copied into the content store and named `reference` if given.
 * Event: `import`, by image ID.
 */
export async function importIntoEngine(context: EngineContext, source: ImportSource, options: ImageImportOptions = {}): Promise<{ id: string }> {
  // The temp dir exists only once something was spooled (a load): an import may come first.
  await mkdir(context.components.tempDir, { recursive: true });
  const image = await importRootfs(source, {
    tempDir: context.components.tempDir,
    ...(options.changes ? { changes: options.changes } : {}),
    ...(options.message !== undefined ? { message: options.message } : {}),
    ...((options.platform ?? context.components.platform) ? { platform: options.platform ?? context.components.platform } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const target = await writeImageToStore(image, context.components.content, options.signal ? { signal: options.signal } : {});
    const resolved = await context.images.putImage({ target, ...(options.reference ? { reference: options.reference } : {}) });
    context.bus.emit({ type: 'image', action: 'import', actor: { id: resolved.id, attributes: { name: options.reference ?? resolved.id } } });
    return { id: resolved.id };
  } finally {
    await image.release();
  }
}
