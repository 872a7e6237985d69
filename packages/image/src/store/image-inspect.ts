import type { ImageCatalog } from './image-catalog.js';
import { imageFacts, imageParent, imageSize, repoTagsAndDigests } from './image-description.js';
import { isDanglingName } from './image-names.js';
import type { ImageServiceContext } from './image-service-context.js';
import type { ImageHistoryEntry, ImageInspectInfo } from './image-service-types.js';

/**
 * Docker's `docker image inspect` of the image `input` resolves to. For an index, the
 * fields describe the service platform's image. `Comment` is the last history entry's
 * comment (as Docker's containerd store reports it); `Metadata.LastTagTime` is the last
 * change of any of the image's names.
 */
export async function inspectImage(context: ImageServiceContext, catalog: ImageCatalog, input: string): Promise<ImageInspectInfo> {
  const { image } = catalog.resolve(input);
  const facts = await imageFacts(context, image);
  const { config } = facts;
  const { repoTags, repoDigests } = repoTagsAndDigests(image);
  const named = image.records.filter((r) => !isDanglingName(r.name));
  const lastTagged = named.length === 0 ? undefined : new Date(Math.max(...named.map((r) => r.updatedAt.getTime())));
  const extra = config as Record<string, unknown>;
  const info: ImageInspectInfo = {
    Id: image.id,
    RepoTags: repoTags,
    RepoDigests: repoDigests,
    Parent: imageParent(image),
    Comment: config.history?.at(-1)?.comment ?? '',
    DockerVersion: typeof extra.docker_version === 'string' ? extra.docker_version : '',
    Author: config.author ?? '',
    Config: { ...(config.config ?? {}) },
    Architecture: config.architecture,
    Os: config.os,
    Size: await imageSize(context, facts),
    RootFS: { Type: config.rootfs.type, Layers: [...config.rootfs.diff_ids] },
    Metadata: lastTagged ? { LastTagTime: lastTagged.toISOString() } : {},
  };
  if (config.created !== undefined) info.Created = config.created;
  if (config.variant !== undefined) info.Variant = config.variant;
  if (config['os.version'] !== undefined) info.OsVersion = config['os.version'];
  return info;
}

/**
 * Docker's `docker history`: one entry per config history entry, newest first. Steps that
 * made a layer get its size; the newest entry carries the image ID and tags, older ones
 * `<missing>` (images here have no local parent chain to attribute them to).
 */
export async function imageHistory(context: ImageServiceContext, catalog: ImageCatalog, input: string): Promise<ImageHistoryEntry[]> {
  const { image } = catalog.resolve(input);
  const facts = await imageFacts(context, image);
  const sizes = await context.layerSizes(facts);
  let layer = 0;
  const entries: ImageHistoryEntry[] = [];
  for (const step of facts.config.history ?? []) {
    const size = step.empty_layer ? 0 : (sizes[layer++] ?? 0);
    const created = step.created === undefined ? Number.NaN : Date.parse(step.created);
    entries.unshift({
      Id: '<missing>',
      Created: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
      CreatedBy: step.created_by ?? '',
      Tags: [],
      Size: size,
      Comment: step.comment ?? '',
    });
  }
  if (entries[0]) {
    entries[0].Id = image.id;
    entries[0].Tags = repoTagsAndDigests(image).repoTags;
  }
  return entries;
}
