import { isInvalidArgument, isNotFound } from '@berth/errdefs';
import {
  type Descriptor,
  imageManifestSchema,
  indexManifestSchema,
  isIndexMediaType,
  isManifestMediaType,
} from '@berth/spec';
import type { ContentProvider } from '../content/content-store.js';
import type { OpenOptions } from '../image.js';

/** Documents larger than this are not walked (they are no manifest any registry accepts). */
const maxDocumentSize = 16 << 20;

/**
 * The descriptors a document references, for walking the graph of an image: an index's
 * manifests, a manifest's config and layers; nothing for other media types. A document
 * missing from the store, too large, or one that does not parse, has no known children — walks
 * tolerate partial content (a single-platform pull keeps the whole index).
 */
export async function documentChildren(
  content: ContentProvider,
  descriptor: Descriptor,
  options: OpenOptions = {},
): Promise<Descriptor[]> {
  const isIndex = isIndexMediaType(descriptor.mediaType);
  if (!isIndex && !isManifestMediaType(descriptor.mediaType)) return [];
  let bytes: Uint8Array;
  try {
    bytes = await content.readBytes(descriptor.digest, { signal: options.signal, maxSize: maxDocumentSize });
  } catch (err) {
    // Missing, or too large to be a document: nothing known below it.
    if (isNotFound(err) || isInvalidArgument(err)) return [];
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return [];
  }
  if (isIndex) {
    const parsed = indexManifestSchema.safeParse(json);
    return parsed.success ? parsed.data.manifests : [];
  }
  const parsed = imageManifestSchema.safeParse(json);
  return parsed.success ? [parsed.data.config, ...parsed.data.layers] : [];
}
