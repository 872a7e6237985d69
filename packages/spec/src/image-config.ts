import { z } from 'zod';
import { digestSchema } from './digest.js';

const stringMap = z.record(z.string(), z.string());
const emptyObjectSet = z.record(z.string(), z.looseObject({}));

/** zod schema of a healthcheck as image configs (Docker's extension) carry it. */
export const healthcheckConfigSchema = z.looseObject({
  Test: z.array(z.string()).nullish(),
  Interval: z.number().optional(),
  Timeout: z.number().optional(),
  StartPeriod: z.number().optional(),
  StartInterval: z.number().optional(),
  Retries: z.number().optional(),
});

/** The execution parameters of an image (`config` in the image config). */
export const containerConfigSchema = z.looseObject({
  User: z.string().optional(),
  ExposedPorts: emptyObjectSet.nullish(),
  Env: z.array(z.string()).nullish(),
  Entrypoint: z.array(z.string()).nullish(),
  Cmd: z.array(z.string()).nullish(),
  Volumes: emptyObjectSet.nullish(),
  WorkingDir: z.string().optional(),
  Labels: stringMap.nullish(),
  StopSignal: z.string().optional(),
  ArgsEscaped: z.boolean().optional(),
  Healthcheck: healthcheckConfigSchema.nullish(),
  OnBuild: z.array(z.string()).nullish(),
  Shell: z.array(z.string()).nullish(),
});

/** One entry of an image's history. */
export const historySchema = z.looseObject({
  created: z.string().optional(),
  created_by: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  empty_layer: z.boolean().optional(),
});

/** zod schema of the OCI image configuration (Docker's image JSON is a superset). */
export const imageConfigSchema = z.looseObject({
  created: z.string().optional(),
  author: z.string().optional(),
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
  config: containerConfigSchema.optional(),
  rootfs: z.looseObject({
    type: z.literal('layers'),
    diff_ids: z.array(digestSchema),
  }),
  history: z.array(historySchema).optional(),
});

/** The OCI image configuration: platform, runtime defaults, layer diff IDs, history. */
export type ImageConfig = z.infer<typeof imageConfigSchema>;
/** The runtime defaults inside an {@link ImageConfig} (`config`). */
export type ContainerConfig = z.infer<typeof containerConfigSchema>;
/** One history entry of an {@link ImageConfig}. */
export type History = z.infer<typeof historySchema>;
/** A healthcheck in an image's runtime defaults. */
export type HealthcheckConfig = z.infer<typeof healthcheckConfigSchema>;
