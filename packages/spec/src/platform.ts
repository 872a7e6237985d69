import { z } from 'zod';

/** A platform as OCI descriptors and image configs carry it. */
export const platformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
  features: z.array(z.string()).optional(),
});

/** A platform: os, architecture and optional variant. */
export type Platform = z.infer<typeof platformSchema>;
