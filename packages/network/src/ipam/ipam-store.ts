import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@berth/atomic-file';
import { InternalError } from '@berth/errdefs';
import { z } from 'zod';

/** Persisted state of one network's pool in one family. */
export const IpamPoolStateSchema = z.object({
  networkId: z.string(),
  family: z.union([z.literal(4), z.literal(6)]),
  subnet: z.string(),
  gateway: z.string(),
  ipRange: z.string().optional(),
  /** Addresses that are never handed out (gateway is implied). */
  reserved: z.array(z.string()),
  /** Addresses leased to endpoints. */
  allocated: z.array(z.string()),
});

/** Everything IPAM persists. */
export const IpamStateSchema = z.object({ version: z.literal(1), pools: z.array(IpamPoolStateSchema) });

/** One pool's persisted state. */
export type IpamPoolState = z.infer<typeof IpamPoolStateSchema>;
/** The whole persisted IPAM state. */
export type IpamState = z.infer<typeof IpamStateSchema>;

/** Where IPAM keeps its state between engine runs. `save` is atomic: a reader sees old or new, never half. */
export interface IpamStore {
  load(): Promise<IpamState>;
  save(state: IpamState): Promise<void>;
}

function emptyState(): IpamState {
  return { version: 1, pools: [] };
}

/** An IPAM store in memory (tests, the memory engine). Saves a deep copy so callers cannot alias it. */
export function createMemoryIpamStore(): IpamStore {
  let saved = emptyState();
  return {
    load: async () => structuredClone(saved),
    save: async (state) => {
      saved = structuredClone(state);
    },
  };
}

/** An IPAM store in `<root>/ipam.json`, written atomically. */
export function createFileIpamStore(root: string): IpamStore {
  const path = join(root, 'ipam.json');
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
        throw error;
      }
      const parsed = IpamStateSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new InternalError(`corrupt IPAM state in ${path}: ${parsed.error.message}`);
      return parsed.data;
    },
    async save(state) {
      await mkdir(root, { recursive: true });
      await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
    },
  };
}
