import { ConflictError } from '@berth/errdefs';
import type { Digest } from '@berth/spec';
import type { CatalogImage, ImageCatalog, NamedRecord } from './image-catalog.js';
import { shortId } from './image-names.js';
import { deleteIfPresent, keepDangling } from './image-naming.js';
import type { ImageServiceContext } from './image-service-context.js';
import { IMAGE_PARENT_LABEL, type ImageDeleteEntry, type ImageRemoveOptions, type ImageUser } from './image-service-types.js';

/**
 * Docker's `rmi` (moby's `ImageDelete`), over image records:
 *
 * - **By name** the name is removed (for a tag, also the digest names of the same
 *   repository when no other tag of it remains). Without `force`, an image whose only
 *   repository is this one and that a container uses keeps its name: removing it would
 *   leave a dangling image in use. When the last name goes, the image is deleted too —
 *   quietly: if a container uses it, it stays, dangling.
 * - **By ID** (or prefix, or digest) the image is deleted with all its names: refused
 *   while a container runs it (even forced), and without `force` while it has names in
 *   several repositories or a stopped container uses it.
 *
 * After a deletion, unless `noPrune`, the parent image (record label
 * {@link IMAGE_PARENT_LABEL}) is deleted too when it has no name and no user, and so on up.
 */
export async function removeImage(
  context: ImageServiceContext,
  input: string,
  options: ImageRemoveOptions,
): Promise<ImageDeleteEntry[]> {
  const force = options.force ?? false;
  const prune = !(options.noPrune ?? false);
  const catalog = await context.catalog();
  const resolution = catalog.resolve(input);
  const { image } = resolution;
  const users = await context.usersOf(image.id);
  const entries: ImageDeleteEntry[] = [];

  const untag = async (names: NamedRecord[]) => {
    for (const n of names) {
      await deleteIfPresent(context, n.record.name);
      entries.push({ Untagged: n.reference.familiar });
    }
  };

  if (!resolution.byId) {
    const user = users[0];
    if (!force && user && isSingleReference(image.named)) {
      throw new ConflictError(
        `conflict: unable to remove repository reference "${input}" (must force) - container ${shortId(user.containerId)} is using its referenced image ${shortId(image.id)}`,
        { details: { image: image.id, container: user.containerId } },
      );
    }
    const removed = resolution.named;
    await untag(removed);
    let remaining = image.named.filter((n) => !removed.includes(n));
    const reference = resolution.reference!;
    if (reference.digest === undefined) {
      const sameRepository = remaining.filter((n) => n.reference.name === reference.name);
      if (!sameRepository.some((n) => n.reference.digest === undefined)) {
        await untag(sameRepository);
        remaining = remaining.filter((n) => !sameRepository.includes(n));
      }
    }
    if (remaining.length > 0) return entries;
    if (deleteConflict(image.id, 0, users, { references: false, stopped: !force })) {
      const last = removed[0]!.record;
      await keepDangling(context, last.target, withoutNameLabels(last.labels));
      return entries;
    }
    await deleteImage(context, catalog, image, entries, prune);
    return entries;
  }

  let names = image.named;
  if (isSingleReference(names)) {
    const conflict = deleteConflict(image.id, 0, users, { references: false, stopped: !force });
    if (conflict) throw conflict;
    await untag(names);
    names = [];
  }
  const conflict = deleteConflict(image.id, names.length, users, { references: !force, stopped: !force });
  if (conflict) throw conflict;
  await untag(names);
  await deleteImage(context, catalog, image, entries, prune);
  return entries;
}

/** Deletes every record of `image` (its names are already gone), then prunes its parent. */
async function deleteImage(
  context: ImageServiceContext,
  catalog: ImageCatalog,
  image: CatalogImage,
  entries: ImageDeleteEntry[],
  prune: boolean,
): Promise<void> {
  for (const record of image.records) await deleteIfPresent(context, record.name);
  entries.push({ Deleted: image.id });
  if (!prune) return;
  const parentId = image.records.map((r) => r.labels[IMAGE_PARENT_LABEL]).find((p) => p !== undefined) as Digest | undefined;
  const parent = parentId === undefined ? undefined : catalog.get(parentId);
  if (!parent || parent.named.length > 0 || parent.id === image.id) return;
  if ((await context.usersOf(parent.id)).length > 0) return;
  await deleteImage(context, catalog, parent, entries, prune);
}

/** The first conflict preventing deletion of `image`, in Docker's order, or `undefined`. */
function deleteConflict(
  imageId: Digest,
  nameCount: number,
  users: ImageUser[],
  check: { references: boolean; stopped: boolean },
): ConflictError | undefined {
  const id = shortId(imageId);
  const details = { image: imageId };
  const running = users.find((u) => u.running);
  if (running) {
    return new ConflictError(
      `conflict: unable to delete ${id} (cannot be forced) - image is being used by running container ${shortId(running.containerId)}`,
      { details: { ...details, container: running.containerId } },
    );
  }
  if (check.references && nameCount > 0) {
    return new ConflictError(`conflict: unable to delete ${id} (must be forced) - image is referenced in multiple repositories`, {
      details,
    });
  }
  const stopped = users.find((u) => !u.running);
  if (check.stopped && stopped) {
    return new ConflictError(
      `conflict: unable to delete ${id} (must be forced) - image is being used by stopped container ${shortId(stopped.containerId)}`,
      { details: { ...details, container: stopped.containerId } },
    );
  }
  return undefined;
}

/**
 * Docker's `isSingleReference`: all names are in one repository and at most one is a tag.
 * (An image with no name is not "single".)
 */
function isSingleReference(named: NamedRecord[]): boolean {
  if (named.length <= 1) return named.length === 1;
  const tags = named.filter((n) => n.reference.digest === undefined);
  if (tags.length > 1) return false;
  const repositories = new Set(named.map((n) => n.reference.name));
  return repositories.size === 1;
}

/** Labels of a record minus those that only make sense with its name. */
function withoutNameLabels(labels: Record<string, string>): Record<string, string> {
  const { 'org.opencontainers.image.ref.name': _ref, 'io.containerd.image.name': _name, ...rest } = labels;
  return rest;
}
