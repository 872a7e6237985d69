import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@berth/atomic-file';
import { InternalError, InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';
import { CniResultSchema } from '../cni/cni-result.js';

/**
 * What the bridge driver remembers of one endpoint's CNI attachment: the configuration its ADD
 * was sent and the result it got. CNI runtimes cache exactly this (libcni under
 * `/var/lib/cni/results`) because DEL must be sent the same configuration, namespace and
 * interface, and `prevResult` — after an engine restart too.
 */
export const BridgeAttachmentSchema = z.object({
  version: z.literal(1),
  endpointId: z.string(),
  networkId: z.string(),
  containerId: z.string(),
  netnsPath: z.string(),
  interfaceName: z.string(),
  /** Host side of the veth pair, from the result (the plugin names it). */
  hostInterface: z.string().optional(),
  config: z.object({ cniVersion: z.string(), name: z.string(), type: z.string() }).loose(),
  result: CniResultSchema,
});

/** One cached attachment. */
export type BridgeAttachment = z.infer<typeof BridgeAttachmentSchema>;

/** Where the bridge driver caches attachments: in memory only, or one file per endpoint. */
export interface BridgeAttachmentStore {
  save(attachment: BridgeAttachment): Promise<void>;
  /** Undefined when the endpoint has no cached attachment. */
  load(endpointId: string): Promise<BridgeAttachment | undefined>;
  /** Missing is fine. */
  remove(endpointId: string): Promise<void>;
}

/** Attachments in memory: lost with the process (tests, drivers without a cache directory). */
export function createMemoryBridgeAttachmentStore(): BridgeAttachmentStore {
  const attachments = new Map<string, BridgeAttachment>();
  return {
    save: async (attachment) => {
      attachments.set(attachment.endpointId, structuredClone(attachment));
    },
    load: async (endpointId) => structuredClone(attachments.get(endpointId)),
    remove: async (endpointId) => {
      attachments.delete(endpointId);
    },
  };
}

/** Attachments as `<directory>/<endpointId>.json`, written atomically, so they survive restarts. */
export function createFileBridgeAttachmentStore(directory: string): BridgeAttachmentStore {
  const pathOf = (endpointId: string): string => {
    if (!/^[A-Za-z0-9_.-]+$/.test(endpointId)) throw new InvalidArgumentError(`invalid endpoint id ${JSON.stringify(endpointId)}`);
    return join(directory, `${endpointId}.json`);
  };
  return {
    async save(attachment) {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      await writeFileAtomic(pathOf(attachment.endpointId), `${JSON.stringify(attachment, null, 2)}\n`);
    },
    async load(endpointId) {
      const path = pathOf(endpointId);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const parsed = BridgeAttachmentSchema.safeParse(json);
      if (!parsed.success) throw new InternalError(`corrupt CNI attachment cache ${path}: ${parsed.error.message}`);
      return parsed.data;
    },
    async remove(endpointId) {
      await rm(pathOf(endpointId), { force: true });
    },
  };
}
