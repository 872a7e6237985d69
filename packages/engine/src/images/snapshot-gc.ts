import { isFailedPrecondition, isNotFound } from '@berth/errdefs';
import { chainIds } from '@berth/image';
import type { EngineContext } from '../internal/engine-context.js';

/**
 * Removes the committed layer snapshots no image needs any more (images share bottom layers,
 * so a snapshot is needed while any image's chain passes through it) and that no container
 * or other snapshot is built on. Resolves to the bytes freed, as the snapshotter measures them.
 */
export async function collectUnusedSnapshots(context: EngineContext, signal?: AbortSignal): Promise<number> {
  const { snapshotter } = context.components;
  const needed = new Set<string>();
  for (const summary of await context.images.list()) {
    try {
      const resolved = await context.images.resolve(summary.Id);
      for (const chainId of chainIds(resolved.config.rootfs.diff_ids)) needed.add(chainId);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  let freed = 0;
  // Children before parents: repeat while something could be removed.
  for (let progress = true; progress; ) {
    progress = false;
    for (const info of await snapshotter.list()) {
      signal?.throwIfAborted();
      if (info.kind !== 'committed' || needed.has(info.key)) continue;
      try {
        const usage = await snapshotter.usage(info.key).catch(() => ({ size: 0 }));
        await snapshotter.remove(info.key);
        freed += usage.size;
        progress = true;
      } catch (err) {
        if (!isFailedPrecondition(err) && !isNotFound(err)) throw err;
      }
    }
  }
  return freed;
}
