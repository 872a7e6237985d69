import { collectGarbage } from '@berth/image';
import { InvalidArgumentError, isConflict, isNotFound } from '@berth/errdefs';
import type { EngineContext } from '../internal/engine-context.js';
import { removeFromEngine } from './image-remove.js';
import { collectUnusedSnapshots } from './snapshot-gc.js';
import type { ImageDeleteEntry, ImagePruneOptions, ImagePruneReport } from './image-types.js';

const pruneKeys = new Set(['dangling', 'label', 'label!', 'until']);

function matchesLabel(labels: Record<string, string>, term: string): boolean {
  const at = term.indexOf('=');
  return at < 0 ? term in labels : labels[term.slice(0, at)] === term.slice(at + 1);
}

/** Parses docker's `until` (RFC 3339 or Unix seconds) to a time. */
export function parseUntil(value: string): Date {
  const seconds = Number(value);
  const date = Number.isFinite(seconds) && value.trim() !== '' ? new Date(seconds * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`invalid until filter ${JSON.stringify(value)}`);
  return date;
}

/**
 * `docker image prune`: removes dangling images (with `dangling=false`, every image) that
 * no container uses, then sweeps the content store and the layer snapshots no image needs;
 * the bytes they free are the space reclaimed. Images that became used meanwhile are skipped. Event: `prune` (actor empty,
 * `reclaimed` attribute), after the `untag`/`delete` events of each image.
 */
export async function pruneImages(context: EngineContext, options: ImagePruneOptions = {}): Promise<ImagePruneReport> {
  const filters = options.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (!pruneKeys.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
  const danglingOnly = !(filters.dangling ?? []).some((value) => value === 'false' || value === '0');
  const until = (filters.until ?? []).map(parseUntil);
  const images = await context.images.list(danglingOnly ? { filters: { dangling: ['true'] } } : {});
  const deleted: ImageDeleteEntry[] = [];
  for (const image of images) {
    options.signal?.throwIfAborted();
    const labels = image.Labels ?? {};
    if (!(filters.label ?? []).every((term) => matchesLabel(labels, term))) continue;
    if ((filters['label!'] ?? []).some((term) => matchesLabel(labels, term))) continue;
    if (until.some((limit) => image.Created * 1000 >= limit.getTime())) continue;
    if (context.imageUsers(image.Id).length > 0) continue;
    try {
      deleted.push(...(await removeFromEngine(context, image.Id, { force: true })));
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) continue;
      throw err;
    }
  }
  const { content, imageStore } = context.components;
  const garbage = await collectGarbage({ content, images: imageStore, ...(options.signal ? { signal: options.signal } : {}) });
  const snapshotBytes = await collectUnusedSnapshots(context, options.signal);
  const reclaimed = garbage.reclaimedBytes + snapshotBytes;
  context.bus.emit({ type: 'image', action: 'prune', actor: { id: '', attributes: { reclaimed: String(reclaimed) } } });
  return { imagesDeleted: deleted, spaceReclaimed: reclaimed };
}
