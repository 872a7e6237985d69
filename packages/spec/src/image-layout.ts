import { z } from 'zod';
import { digestAlgorithm, digestHex, type Digest } from './digest.js';
import { indexManifestSchema } from './manifest.js';

/** The layout marker file at the root of an OCI image layout. */
export const OCI_LAYOUT_FILE = 'oci-layout';
/** The entry point of an OCI image layout: an image index naming its manifests. */
export const OCI_LAYOUT_INDEX_FILE = 'index.json';
/** The directory of an OCI image layout holding blobs as `blobs/<algorithm>/<hex>`. */
export const OCI_LAYOUT_BLOBS_DIR = 'blobs';
/** The layout version this package writes. */
export const OCI_IMAGE_LAYOUT_VERSION = '1.0.0';

/**
 * zod schema of the `oci-layout` file, `{"imageLayoutVersion":"1.0.0"}`. Any 1.x
 * version is accepted: minor versions of the layout stay readable.
 */
export const ociLayoutSchema = z.looseObject({
  imageLayoutVersion: z.string().regex(/^1\.\d+\.\d+$/, 'unsupported image layout version (want 1.x.y)'),
});

/** The contents of an `oci-layout` file. */
export type OciLayout = z.infer<typeof ociLayoutSchema>;

/**
 * zod schema of an OCI image layout's `index.json`: an image index, whose manifest
 * descriptors usually carry `org.opencontainers.image.ref.name` (and, from Docker and
 * containerd, `io.containerd.image.name`) — see `AnnotationKeys`.
 */
export const ociLayoutIndexSchema = indexManifestSchema;

/** The relative path of a blob inside an OCI image layout: `blobs/sha256/<hex>` (always `/`-separated). */
export function ociLayoutBlobPath(digest: Digest): string {
  return `${OCI_LAYOUT_BLOBS_DIR}/${digestAlgorithm(digest)}/${digestHex(digest)}`;
}
