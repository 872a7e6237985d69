import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@berth/atomic-file';
import { InternalError } from '@berth/errdefs';
import { z } from 'zod';
import type { Network } from '../network.js';

const PortBindingSchema = z.object({
  containerPort: z.number().int(),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
  hostIp: z.string(),
  hostPort: z.number().int(),
});

const EndpointSchema = z.object({
  endpointId: z.string(),
  containerId: z.string(),
  containerName: z.string(),
  aliases: z.array(z.string()),
  ipv4Address: z.string().optional(),
  ipv6Address: z.string().optional(),
  gateway: z.string().optional(),
  ipv6Gateway: z.string().optional(),
  macAddress: z.string().optional(),
  interfaceName: z.string().optional(),
  ports: z.array(PortBindingSchema),
  staticIpv4: z.boolean().optional(),
  dnsServers: z.array(z.string()).optional(),
  embeddedDnsNetns: z.string().optional(),
});

/** Schema of a persisted {@link Network}. */
export const NetworkSchema = z.object({
  id: z.string(),
  name: z.string(),
  driver: z.string(),
  scope: z.literal('local'),
  created: z.string(),
  internal: z.boolean(),
  attachable: z.boolean(),
  enableIpv6: z.boolean(),
  ipam: z.object({
    driver: z.literal('default'),
    config: z.array(
      z.object({
        subnet: z.string(),
        gateway: z.string(),
        ipRange: z.string().optional(),
        auxAddresses: z.record(z.string(), z.string()).optional(),
      }),
    ),
  }),
  labels: z.record(z.string(), z.string()),
  options: z.record(z.string(), z.string()),
  containers: z.record(z.string(), EndpointSchema),
});

/** Where the controller keeps networks between runs; `save` replaces everything atomically. */
export interface NetworkStore {
  load(): Promise<Network[]>;
  save(networks: readonly Network[]): Promise<void>;
}

/** A network store in memory. */
export function createMemoryNetworkStore(): NetworkStore {
  let saved: Network[] = [];
  return {
    load: async () => structuredClone(saved),
    save: async (networks) => {
      saved = structuredClone([...networks]);
    },
  };
}

/** A network store in `<root>/networks.json`, written atomically and validated on load. */
export function createFileNetworkStore(root: string): NetworkStore {
  const path = join(root, 'networks.json');
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const parsed = z.array(NetworkSchema).safeParse(JSON.parse(text));
      if (!parsed.success) throw new InternalError(`corrupt network state in ${path}: ${parsed.error.message}`);
      return parsed.data as Network[];
    },
    async save(networks) {
      await mkdir(root, { recursive: true });
      await writeFileAtomic(path, `${JSON.stringify(networks, null, 2)}\n`);
    },
  };
}
