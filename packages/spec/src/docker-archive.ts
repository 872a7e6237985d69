import { z } from 'zod';
import { descriptorSchema } from './descriptor.js';

/** The index of a `docker save` archive: one entry per image. */
export const DOCKER_ARCHIVE_MANIFEST_FILE = 'manifest.json';
/** The legacy tag file of a `docker save` archive (repository → tag → top layer ID). */
export const DOCKER_ARCHIVE_REPOSITORIES_FILE = 'repositories';

/**
 * zod schema of one entry of a Docker archive's `manifest.json`: paths inside the tar
 * (`Config`, `Layers`, bottom layer first), the image's tags in familiar form
 * (`busybox:latest`; `null` when saved by ID), and, for foreign or non-distributable
 * layers, their original descriptors keyed by diff ID. Unknown fields are kept.
 */
export const dockerArchiveManifestEntrySchema = z.looseObject({
  Config: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  Layers: z.array(z.string()),
  Parent: z.string().optional(),
  LayerSources: z.record(z.string(), descriptorSchema).nullish(),
});

/** One image of a Docker archive's `manifest.json`. */
export type DockerArchiveManifestEntry = z.infer<typeof dockerArchiveManifestEntrySchema>;

/** zod schema of a Docker archive's `manifest.json`: an array of entries. */
export const dockerArchiveManifestSchema = z.array(dockerArchiveManifestEntrySchema);

/** A Docker archive's `manifest.json`. */
export type DockerArchiveManifest = z.infer<typeof dockerArchiveManifestSchema>;

/**
 * zod schema of a Docker archive's legacy `repositories` file:
 * `{"busybox":{"latest":"<top layer v1 id, 64 hex>"}}`.
 */
export const dockerArchiveRepositoriesSchema = z.record(z.string(), z.record(z.string(), z.string()));

/** A Docker archive's `repositories` file. */
export type DockerArchiveRepositories = z.infer<typeof dockerArchiveRepositoriesSchema>;
