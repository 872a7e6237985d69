import { type Digest, digestAlgorithm, digestHex } from '@berth/spec';
import { z } from 'zod';

/** File names of an OCI image layout. */
export const LayoutFiles = {
  marker: 'oci-layout',
  index: 'index.json',
  blobs: 'blobs',
} as const;

/** The annotation that names an entry of `index.json` (`skopeo`'s `oci:dir:ref`). */
export const refNameAnnotation = 'org.opencontainers.image.ref.name';

/** zod schema of the `oci-layout` marker file. */
export const ociLayoutMarkerSchema = z.looseObject({ imageLayoutVersion: z.string() });

/** The `oci-layout` marker Berth writes. */
export const ociLayoutMarker = { imageLayoutVersion: '1.0.0' } as const;

/** The path of a blob relative to the layout root, `blobs/<alg>/<hex>` (always `/`-separated). */
export function blobPath(digest: Digest): string {
  return `${LayoutFiles.blobs}/${digestAlgorithm(digest)}/${digestHex(digest)}`;
}

/** Largest document (index, manifest, config) read into memory from a layout or archive. */
export const maxDocumentSize = 32 << 20;
