import type { CatalogImage } from './image-catalog.js';
import type { ImageFacts } from './image-facts.js';
import type { ImageServiceContext } from './image-service-context.js';
import { IMAGE_PARENT_LABEL } from './image-service-types.js';

/**
 * Docker's `RepoTags` and `RepoDigests` of an image: each tag record gives its familiar
 * tag and `repo@<target digest>`; each digest record gives itself.
 */
export function repoTagsAndDigests(image: CatalogImage): { repoTags: string[]; repoDigests: string[] } {
  const repoTags = new Set<string>();
  const repoDigests = new Set<string>();
  for (const { record, reference } of image.named) {
    if (reference.digest === undefined) {
      repoTags.add(reference.familiar);
      repoDigests.add(`${reference.familiarName}@${record.target.digest}`);
    } else {
      repoDigests.add(reference.withoutTagOrDigest().withDigest(reference.digest).familiar);
    }
  }
  return { repoTags: [...repoTags], repoDigests: [...repoDigests] };
}

/** The facts of an image, read through its first named record (all its records share the ID). */
export function imageFacts(context: ImageServiceContext, image: CatalogImage): Promise<ImageFacts> {
  const record = image.named[0]?.record ?? image.records[0]!;
  return context.reader.facts(record.target);
}

/** When the image was created: the config's `created`, else when it was first recorded here. */
export function imageCreated(image: CatalogImage, facts: ImageFacts): Date {
  const created = facts.config.created === undefined ? Number.NaN : Date.parse(facts.config.created);
  if (!Number.isNaN(created)) return new Date(created);
  return new Date(Math.min(...image.records.map((r) => r.createdAt.getTime())));
}

/** The parent ID recorded by commit or build, or `''`. */
export function imageParent(image: CatalogImage): string {
  return image.records.map((r) => r.labels[IMAGE_PARENT_LABEL]).find((p) => p !== undefined) ?? '';
}

/** The sum of the layer sizes (see `ImageServiceOptions.uncompressedSize`). */
export async function imageSize(context: ImageServiceContext, facts: ImageFacts): Promise<number> {
  return (await context.layerSizes(facts)).reduce((sum, size) => sum + size, 0);
}
