import { descriptorSchema } from '@berth/spec';
import { z } from 'zod';

/**
 * The files of a `docker save` archive. Classic archives (Docker < 25) hold `manifest.json`,
 * `<config-hex>.json`, `<layer-id>/layer.tar` and `repositories`; Docker 25+ also makes the
 * archive an OCI image layout (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) and points
 * `manifest.json` at the blobs.
 */
export const ArchiveFiles = {
  manifest: 'manifest.json',
  repositories: 'repositories',
  ociLayout: 'oci-layout',
  ociIndex: 'index.json',
} as const;

/** Annotations Docker and containerd put on `index.json` entries. */
export const ArchiveAnnotations = {
  /** The full image name: `docker.io/library/busybox:latest`. */
  imageName: 'io.containerd.image.name',
  /** The OCI ref name: Docker writes the tag alone (`latest`). */
  refName: 'org.opencontainers.image.ref.name',
} as const;

/** One image of `manifest.json`. */
export const archiveManifestEntrySchema = z.looseObject({
  /** Path of the image config inside the archive. */
  Config: z.string(),
  /** Familiar `name:tag` strings; null or absent for untagged images. */
  RepoTags: z.array(z.string()).nullish(),
  /** Paths of the layer tars, bottom first. */
  Layers: z.array(z.string()),
  Parent: z.string().optional(),
  /** Foreign (non-distributable) layers: where they come from, by diff ID. */
  LayerSources: z.record(z.string(), descriptorSchema).nullish(),
});

/** zod schema of `manifest.json`: one entry per image. */
export const archiveManifestSchema = z.array(archiveManifestEntrySchema);

/** One image of `manifest.json`. */
export type ArchiveManifestEntry = z.infer<typeof archiveManifestEntrySchema>;
