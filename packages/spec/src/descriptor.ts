import { z } from 'zod';
import { digestSchema } from './digest.js';
import { platformSchema } from './platform.js';

/** zod schema of an OCI content descriptor; unknown fields are kept. */
export const descriptorSchema = z.looseObject({
  mediaType: z.string(),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  data: z.string().optional(),
  platform: platformSchema.optional(),
  artifactType: z.string().optional(),
});

/** An OCI content descriptor: what a blob is, its digest and its size. */
export type Descriptor = z.infer<typeof descriptorSchema>;
