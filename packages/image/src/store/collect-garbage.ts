import { isNotFound } from '@berth/errdefs';
import type { Descriptor, Digest } from '@berth/spec';
import type { ContentManager, ContentProvider } from '../content/content-store.js';
import { documentChildren } from './image-children.js';
import type { ImageStore } from './image-store.js';

/** Options of {@link collectGarbage}. */
export interface CollectGarbageOptions {
  /** The blobs to sweep. */
  content: ContentProvider & ContentManager;
  /** Every record's target is a root. */
  images: Pick<ImageStore, 'list'>;
  /**
   * More roots: content in use that no image record names yet (a pull between writing its
   * blobs and creating its record, a build's intermediate images). Their graphs are kept.
   */
  extraRoots?: Iterable<Descriptor>;
  signal?: AbortSignal;
}

/** What {@link collectGarbage} removed. */
export interface GarbageCollection {
  /** Digests of the deleted blobs. */
  removed: Digest[];
  /** Sum of their sizes in bytes. */
  reclaimedBytes: number;
}

/**
 * Mark and sweep over a content store (containerd's content GC). Mark: every blob reachable
 * from an image record or an extra root — index → manifests → config and layers; children
 * that are missing or of an unknown media type end the walk there. Sweep: every committed
 * blob not marked is deleted. Pending ingests are never touched (they are not blobs yet), and
 * blobs committed after the collection started are kept, as they may belong to a write whose
 * record is not there yet. Aborting `signal` stops between blobs; what was deleted stays deleted.
 */
export async function collectGarbage(options: CollectGarbageOptions): Promise<GarbageCollection> {
  const { content, signal } = options;
  const startedAt = Date.now();
  signal?.throwIfAborted();

  const marked = new Set<Digest>();
  const pending: Descriptor[] = [...(await options.images.list()).map((r) => r.target), ...(options.extraRoots ?? [])];
  while (pending.length > 0) {
    signal?.throwIfAborted();
    const descriptor = pending.pop()!;
    if (marked.has(descriptor.digest)) continue;
    marked.add(descriptor.digest);
    pending.push(...(await documentChildren(content, descriptor, { signal })));
  }

  const garbage: Array<{ digest: Digest; size: number }> = [];
  for await (const blob of content.list()) {
    if (!marked.has(blob.digest) && blob.createdAt.getTime() <= startedAt) garbage.push(blob);
  }
  const removed: Digest[] = [];
  let reclaimedBytes = 0;
  for (const blob of garbage) {
    signal?.throwIfAborted();
    try {
      await content.delete(blob.digest);
    } catch (err) {
      if (isNotFound(err)) continue; // someone else removed it meanwhile
      throw err;
    }
    removed.push(blob.digest);
    reclaimedBytes += blob.size;
  }
  return { removed, reclaimedBytes };
}
