import { InvalidArgumentError } from '@berth/errdefs';
import { type ImageReference, parseReference, referenceMatchesPattern } from '@berth/spec';
import type { CatalogImage, ImageCatalog } from './image-catalog.js';
import { imageCreated, imageFacts, imageParent, imageSize, repoTagsAndDigests } from './image-description.js';
import type { ImageFacts } from './image-facts.js';
import type { ImageServiceContext } from './image-service-context.js';
import type { ImageListOptions, ImageSummary } from './image-service-types.js';

const acceptedFilters = new Set(['dangling', 'label', 'before', 'since', 'reference']);

/**
 * Docker's `docker images` (classic image store semantics), newest first. Images whose
 * content cannot be read are left out, as Docker's containerd store does.
 *
 * - `dangling=true`: images without a tag (digest names do not count); `false`: images
 *   with any name.
 * - `reference`: keeps the names matching any pattern (a glob on the familiar reference or
 *   the familiar repository name) and drops images with none.
 * - `label`: every `key` / `key=value` must be among the config's labels.
 * - `before` / `since`: created strictly before / after the named image.
 */
export async function listImages(context: ImageServiceContext, options: ImageListOptions): Promise<ImageSummary[]> {
  const filters = options.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (!acceptedFilters.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`, { details: { filter: key } });
  }
  const catalog = await context.catalog();
  const dangling = danglingFilter(filters.dangling);
  const patterns = (filters.reference ?? []).map(referencePattern);
  const labels = (filters.label ?? []).map(parseLabelFilter);
  const before = await boundary(context, catalog, filters.before);
  const since = await boundary(context, catalog, filters.since);

  const summaries: Array<{ summary: ImageSummary; created: Date }> = [];
  for (const image of catalog.images) {
    if (!image.readable) continue;
    const facts = await imageFacts(context, image);
    const created = imageCreated(image, facts);
    if (before && created.getTime() >= before.getTime()) continue;
    if (since && created.getTime() <= since.getTime()) continue;
    const configLabels = facts.config.config?.Labels ?? {};
    if (!labels.every(({ key, value }) => key in configLabels && (value === undefined || configLabels[key] === value))) continue;

    const shown = patterns.length === 0 ? image : matchingNames(image, patterns);
    let { repoTags, repoDigests } = repoTagsAndDigests(shown);
    if (patterns.length > 0) {
      // Docker filters the derived digest names too: keep those the patterns match.
      repoDigests = repoDigests.filter((d) => patterns.some((p) => p(parseReference(d))));
      if (repoTags.length === 0 && repoDigests.length === 0) continue;
    }
    const isDangling = repoTagsAndDigests(image).repoTags.length === 0;
    if (dangling === true && !isDangling) continue;
    if (dangling === false && image.named.length === 0) continue;

    summaries.push({ summary: await summarise(context, image, facts, created, repoTags, repoDigests), created });
  }
  return summaries
    .sort((a, b) => b.created.getTime() - a.created.getTime() || (a.summary.Id < b.summary.Id ? -1 : 1))
    .map((s) => s.summary);
}

async function summarise(
  context: ImageServiceContext,
  image: CatalogImage,
  facts: ImageFacts,
  created: Date,
  repoTags: string[],
  repoDigests: string[],
): Promise<ImageSummary> {
  return {
    Id: image.id,
    ParentId: imageParent(image),
    RepoTags: repoTags,
    RepoDigests: repoDigests,
    Created: Math.floor(created.getTime() / 1000),
    Size: await imageSize(context, facts),
    SharedSize: -1,
    Labels: { ...(facts.config.config?.Labels ?? {}) },
    Containers: -1,
  };
}

/** The image restricted to the names some pattern matches (Docker's `FamiliarMatch`). */
function matchingNames(image: CatalogImage, patterns: ReferencePattern[]): CatalogImage {
  return { ...image, named: image.named.filter(({ reference }) => patterns.some((p) => p(reference))) };
}

type ReferencePattern = (reference: ImageReference) => boolean;

/** A `reference` filter value as a matcher; a malformed glob is refused up front, even with no image to match. */
function referencePattern(pattern: string): ReferencePattern {
  referenceMatchesPattern(parseReference('probe'), pattern);
  return (reference) => referenceMatchesPattern(reference, pattern);
}

function danglingFilter(values: readonly string[] | undefined): boolean | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const parsed = values.map((v) => {
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw new InvalidArgumentError(`invalid filter 'dangling=${v}'`, { details: { filter: 'dangling', value: v } });
  });
  return parsed.includes(true);
}

function parseLabelFilter(value: string): { key: string; value?: string } {
  const eq = value.indexOf('=');
  if (eq === -1) return { key: value };
  return { key: value.slice(0, eq), value: value.slice(eq + 1) };
}

/** The creation time of the image a `before`/`since` value names (the last value wins, as in Docker). */
async function boundary(context: ImageServiceContext, catalog: ImageCatalog, values: readonly string[] | undefined): Promise<Date | undefined> {
  const value = values?.at(-1);
  if (value === undefined) return undefined;
  const image = catalog.resolve(value).image;
  return imageCreated(image, await imageFacts(context, image));
}
