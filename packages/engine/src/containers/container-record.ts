import type { ContainerState, MergedContainerConfig } from '@berth/container';
import type { Endpoint } from '@berth/network';
import { z } from 'zod';
import type { ContainerCreateOptions } from './container-types.js';

const dateSchema = z.coerce.date();

/** zod schema of a persisted container state (dates as ISO strings on disk). */
export const containerStateSchema = z.object({
  status: z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'removing', 'dead', 'removed']),
  pid: z.number(),
  exitCode: z.number(),
  error: z.string(),
  oomKilled: z.boolean(),
  startedAt: dateSchema.optional(),
  finishedAt: dateSchema.optional(),
  restartCount: z.number(),
  manuallyStopped: z.boolean(),
  restartCanceled: z.boolean(),
});

/** A network a container joins, with its endpoint settings and, while running, its endpoint. */
export const containerNetworkSchema = z.object({
  aliases: z.array(z.string()).optional(),
  ipv4Address: z.string().optional(),
  ipv6Address: z.string().optional(),
  /** The controller's endpoint while connected (running); kept in inspect as docker does. */
  endpoint: z.looseObject({ endpointId: z.string(), containerId: z.string() }).optional(),
});

/**
 * zod schema of what the engine keeps of a container (`containers/<id>.json` in the
 * metadata store): the create request, the merged config, state, and where its pieces are.
 */
export const containerRecordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  created: dateSchema,
  /** The create request as given (the image as named, networking, ports). */
  options: z.looseObject({ image: z.string() }),
  /** The config with the image's defaults merged (what inspect shows as `Config`). */
  config: z.looseObject({
    image: z.string(),
    entrypoint: z.array(z.string()),
    cmd: z.array(z.string()),
    env: z.array(z.string()),
    user: z.string(),
    workingDir: z.string(),
    labels: z.record(z.string(), z.string()),
    imageVolumes: z.array(z.string()),
  }),
  imageId: z.string(),
  state: containerStateSchema,
  /** The snapshot holding its root file system. */
  snapshotKey: z.string(),
  /** The committed snapshot under it (the image's top layer), if any. */
  snapshotParent: z.string().optional(),
  logPath: z.string(),
  bundle: z.string(),
  networkMode: z.string(),
  networks: z.record(z.string(), containerNetworkSchema),
  /** Volumes it uses: name → whether the engine created it anonymously for this container. */
  volumes: z.record(z.string(), z.object({ anonymous: z.boolean(), target: z.string() })),
  /** Restart backoff: the delay before the previous policy restart. */
  previousDelayMs: z.number(),
  /** The healthcheck's last status, when the container has one. */
  health: z
    .object({
      status: z.enum(['starting', 'healthy', 'unhealthy']),
      failingStreak: z.number(),
      log: z.array(z.object({ start: dateSchema, end: dateSchema, exitCode: z.number(), output: z.string() })),
    })
    .optional(),
});

/** A persisted container. */
export interface ContainerRecord extends Omit<z.infer<typeof containerRecordSchema>, 'options' | 'config' | 'state' | 'networks'> {
  options: ContainerCreateOptions & { image: string };
  networks: Record<string, { aliases?: string[]; ipv4Address?: string; ipv6Address?: string; endpoint?: Endpoint }>;
  config: MergedContainerConfig;
  state: ContainerState;
}

/** Parses a stored record. */
export function parseContainerRecord(value: unknown): ContainerRecord {
  return containerRecordSchema.parse(value) as unknown as ContainerRecord;
}
