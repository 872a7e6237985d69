import { InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';
import { imageManifestSchema, indexManifestSchema, type ImageManifest, type IndexManifest } from './manifest.js';
import { isIndexMediaType, isManifestMediaType, isSchema1MediaType } from './media-types.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a manifest document's media type (or, lacking one, its shape) says it is. */
function documentKind(document: Record<string, unknown>, fallbackMediaType?: string): 'image' | 'index' | undefined {
  const mediaType = typeof document['mediaType'] === 'string' ? document['mediaType'] : fallbackMediaType;
  if (mediaType !== undefined) {
    if (isManifestMediaType(mediaType)) return 'image';
    if (isIndexMediaType(mediaType)) return 'index';
    if (typeof document['mediaType'] === 'string') return undefined;
  }
  // OCI documents may omit mediaType; their shape decides.
  if (Array.isArray(document['manifests'])) return 'index';
  if (isRecord(document['config']) && Array.isArray(document['layers'])) return 'image';
  return undefined;
}

/**
 * Whether `document` is a single-platform image manifest (OCI or Docker schema2):
 * its `mediaType` says so — or, when it has none, its shape (`config` and `layers`) —
 * and it satisfies {@link imageManifestSchema}.
 */
export function isImageManifest(document: unknown): document is ImageManifest {
  return isRecord(document) && documentKind(document) === 'image' && imageManifestSchema.safeParse(document).success;
}

/**
 * Whether `document` is a multi-platform index (OCI index or Docker manifest list):
 * its `mediaType` says so — or, when it has none, its shape (`manifests`) — and it
 * satisfies {@link indexManifestSchema}.
 */
export function isIndexManifest(document: unknown): document is IndexManifest {
  return isRecord(document) && documentKind(document) === 'index' && indexManifestSchema.safeParse(document).success;
}

/** A parsed manifest document: an image manifest or an index, told apart by `kind`. */
export type ManifestDocument =
  | { readonly kind: 'image'; readonly manifest: ImageManifest }
  | { readonly kind: 'index'; readonly index: IndexManifest };

/**
 * Parses a manifest document that may be an image manifest or an index — what a
 * registry returns for `GET /v2/<name>/manifests/<ref>`. The document's own
 * `mediaType` decides; without one, `contentType` (the response's `Content-Type`),
 * then the document's shape. Throws `InvalidArgument` for Docker schema1 manifests
 * (unsupported, as in current Docker), unknown media types and invalid documents.
 * The digest of a manifest is always computed over the raw bytes, never over this
 * parsed form.
 */
export function parseManifestDocument(document: unknown, contentType?: string): ManifestDocument {
  if (!isRecord(document)) throw new InvalidArgumentError('invalid manifest: not a JSON object');
  const mediaType = typeof document['mediaType'] === 'string' ? document['mediaType'] : contentType;
  if (document['schemaVersion'] === 1 || isSchema1MediaType(mediaType)) {
    throw new InvalidArgumentError(
      'unsupported manifest format: Docker Image manifest version 2, schema 1 is deprecated and not supported',
      { details: { mediaType } },
    );
  }
  const kind = documentKind(document, contentType);
  if (kind === undefined) {
    throw new InvalidArgumentError(`unsupported manifest media type ${JSON.stringify(mediaType ?? '')}`, {
      details: { mediaType },
    });
  }
  const schema = kind === 'image' ? imageManifestSchema : indexManifestSchema;
  const result = schema.safeParse(document);
  if (!result.success) {
    throw new InvalidArgumentError(`invalid ${kind === 'image' ? 'image manifest' : 'image index'}: ${z.prettifyError(result.error)}`, {
      cause: result.error,
      details: { mediaType },
    });
  }
  return kind === 'image'
    ? { kind, manifest: result.data as ImageManifest }
    : { kind, index: result.data as IndexManifest };
}
