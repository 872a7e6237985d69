import { InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import { type Descriptor, defaultPlatform, parseAnyReference, parseReference } from '@berth/spec';
import type { CatalogImage, ImageCatalog, Resolution } from './image-catalog.js';
import { repoTagsAndDigests } from './image-description.js';
import { createFactsReader } from './image-facts.js';
import { imageHistory, inspectImage } from './image-inspect.js';
import { listImages } from './image-list.js';
import { deleteIfPresent, keepDangling, setImageName } from './image-naming.js';
import { removeImage } from './image-remove.js';
import { type ImageServiceContext, createServiceContext } from './image-service-context.js';
import type { ImageDeleteEntry, ImageService, ImageServiceOptions, ResolvedImage } from './image-service-types.js';

/**
 * Creates the {@link ImageService}: Docker's image semantics (tag, rmi, images, inspect,
 * history) over a content store and an image store. Changes made through one service are
 * serialised; reads run concurrently.
 */
export function createImageService(options: ImageServiceOptions): ImageService {
  const reader = createFactsReader(options.content, options.platform ?? defaultPlatform());
  const context = createServiceContext(options, reader);
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs a change after the previous ones, on a fresh catalog. */
  function exclusively<T>(change: (catalog: ImageCatalog) => Promise<T>): Promise<T> {
    const run = queue.then(async () => change(await context.catalog()));
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    async resolve(reference) {
      const catalog = await context.catalog();
      const resolution = catalog.resolve(reference);
      return resolved(context, resolution.image, targetOf(resolution, reference));
    },

    async putImage({ target, reference, labels }) {
      const name = reference === undefined ? undefined : tagName(reference);
      return exclusively(async (catalog) => {
        const facts = await reader.facts(target);
        if (name !== undefined) {
          await setImageName(context, catalog, name, target, labels);
        } else if (!catalog.get(facts.id)) {
          await keepDangling(context, target, labels);
        }
        const after = await context.catalog();
        return resolved(context, after.get(facts.id)!, target);
      });
    },

    async tag(source, target) {
      const name = tagName(target);
      return exclusively(async (catalog) => {
        const resolution = catalog.resolve(source);
        await setImageName(context, catalog, name, targetOf(resolution, source));
      });
    },

    async untag(reference) {
      const parsed = parseAnyReference(reference);
      if (parsed.kind === 'digest') {
        throw new InvalidArgumentError(`cannot untag an image ID (${reference}); name a repository`, { details: { reference } });
      }
      return exclusively(async (catalog) => {
        const names = catalog.namedBy(parsed.reference);
        if (names.length === 0) {
          throw new NotFoundError(`No such image: ${parsed.reference.toDockerRef().familiar}`, { details: { reference } });
        }
        const image = catalog.imageOfRecord(names[0]!.record.name)!;
        const entries: ImageDeleteEntry[] = [];
        for (const n of names) {
          await deleteIfPresent(context, n.record.name);
          entries.push({ Untagged: n.reference.familiar });
        }
        if (image.records.every((r) => names.some((n) => n.record.name === r.name))) {
          await keepDangling(context, names[0]!.record.target);
        }
        return entries;
      });
    },

    async list(listOptions = {}) {
      return listImages(context, listOptions);
    },

    async inspect(reference) {
      return inspectImage(context, await context.catalog(), reference);
    },

    async history(reference) {
      return imageHistory(context, await context.catalog(), reference);
    },

    async remove(reference, removeOptions = {}) {
      return exclusively(() => removeImage(context, reference, removeOptions));
    },
  };
}

/** The record name for a tag: a normalised reference with `latest` by default; digests are refused. */
function tagName(reference: string): string {
  const parsed = parseReference(reference);
  if (parsed.digest !== undefined) {
    throw new InvalidArgumentError(`refusing to create a tag with a digest reference: ${reference}`, {
      details: { reference },
    });
  }
  return parsed.withDefaultTag().toString();
}

/**
 * The descriptor a resolution designates: the named record's target; for a digest equal
 * to a record's target, that target; otherwise the first name's target.
 */
function targetOf(resolution: Resolution, input: string): Descriptor {
  const named = resolution.named[0];
  if (named) return named.record.target;
  const { records } = resolution.image;
  const byDigest = records.find((r) => input === r.target.digest || `sha256:${input}` === r.target.digest);
  return (byDigest ?? resolution.image.named[0]?.record ?? records[0]!).target;
}

async function resolved(context: ImageServiceContext, image: CatalogImage, target: Descriptor): Promise<ResolvedImage> {
  const facts = await context.reader.facts(target);
  return {
    id: facts.id,
    target,
    manifest: facts.manifest,
    image: facts.image,
    config: facts.config,
    repoTags: repoTagsAndDigests(image).repoTags,
  };
}
