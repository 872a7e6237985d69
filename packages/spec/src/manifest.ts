import { z } from 'zod';
import { descriptorSchema } from './descriptor.js';

/**
 * zod schema of a single-platform image manifest: the OCI image manifest and Docker's
 * schema2 manifest share this shape (they differ only in media types). Unknown fields
 * are kept, so a parsed document can be re-serialised without loss — but digests are
 * always computed over the raw bytes, never over a re-serialisation.
 */
export const imageManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A single-platform image manifest (OCI or Docker schema2). */
export type ImageManifest = z.infer<typeof imageManifestSchema>;

/**
 * zod schema of a multi-platform index: the OCI image index and Docker's manifest list
 * share this shape.
 */
export const indexManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A multi-platform index (OCI image index or Docker manifest list). */
export type IndexManifest = z.infer<typeof indexManifestSchema>;
