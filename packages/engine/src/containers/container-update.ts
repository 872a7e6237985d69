import { linuxResourcesFor, parseContainerConfig, type Resources, type RuntimeResourceUpdate } from '@berth/container';
import { ConflictError, InvalidArgumentError } from '@berth/errdefs';
import { emitContainerEvent, type ContainerContext } from './container-context.js';
import { validateContainerName } from './container-names.js';
import type { ContainerEntry } from './container-table.js';
import type { ContainerUpdateOptions } from './container-types.js';

/** `docker rename`: a taken name → `Conflict`. Event: `rename` (attribute `oldName`). */
export async function renameContainer(context: ContainerContext, entry: ContainerEntry, newName: string): Promise<void> {
  const name = validateContainerName(newName);
  const oldName = entry.record.name;
  if (name === oldName) return;
  await context.table.rename(entry, name);
  emitContainerEvent(context, entry, 'rename', { oldName: `/${oldName}` });
}

/**
 * The memory+swap limit a container has now: the one it was given, or docker's default
 * of twice the memory limit (docker writes that default into the config at create).
 */
function effectiveMemorySwap(r: Resources): number | undefined {
  if (r.memorySwap !== undefined && r.memorySwap !== 0) return r.memorySwap;
  return r.memory ? r.memory * 2 : undefined;
}

/**
 * The new resources: the update over the current ones. As docker, a memory limit updated
 * alone keeps the container's memory+swap limit and may not exceed it (`Conflict`) — which
 * refuses a first memory limit without `memorySwap` (the current one is 0 then) and any limit
 * under unlimited swap (-1), exactly as dockerd does.
 */
function mergeResources(current: Resources, update: Resources | undefined): Resources {
  if (!update) return current;
  const merged = { ...current, ...update };
  if (update.memory && (update.memorySwap === undefined || update.memorySwap === 0)) {
    const swap = effectiveMemorySwap(current) ?? 0;
    if (update.memory > swap) {
      throw new ConflictError('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    merged.memorySwap = swap;
  }
  return merged;
}

/** The sections of `linux.resources` `runc update` changes, as the spec would have them. */
function liveResources(resources: Resources): RuntimeResourceUpdate {
  const { memory, cpu, pids, blockIO } = linuxResourcesFor(resources);
  const update: RuntimeResourceUpdate = {};
  if (memory) {
    const { limit, reservation, swap } = memory;
    update.memory = { ...(limit !== undefined ? { limit } : {}), ...(reservation !== undefined ? { reservation } : {}), ...(swap !== undefined ? { swap } : {}) };
  }
  if (cpu) update.cpu = cpu;
  if (pids) update.pids = pids;
  if (blockIO) update.blockIO = blockIO;
  return update;
}

/**
 * `docker update`: new resources and restart policy, validated with the whole config
 * (docker's cross-field rules). A running or paused container gets the new limits at
 * once (the runtime's live cgroup update); they are recorded for later starts too.
 * Event: `update`.
 */
export async function updateContainer(context: ContainerContext, entry: ContainerEntry, options: ContainerUpdateOptions): Promise<{ warnings: string[] }> {
  const { config } = entry.record;
  const resources = mergeResources(config.resources ?? {}, options.resources);
  const restartPolicy = options.restartPolicy ?? config.restartPolicy;
  if (restartPolicy && restartPolicy.name !== 'no' && entry.record.options.autoRemove) {
    throw new InvalidArgumentError('Restart policy cannot be updated because AutoRemove is enabled for the container');
  }
  // Validate the whole config as it would be, so docker's cross-field rules apply.
  const { imageVolumes: _imageVolumes, ...plain } = config;
  parseContainerConfig({ ...plain, resources, ...(restartPolicy ? { restartPolicy } : {}) });
  const live = entry.record.state.status === 'running' || entry.record.state.status === 'paused';
  // Live first: limits the kernel refuses are not recorded either.
  if (live && options.resources) await context.host.runtime.update(entry.record.id, liveResources(resources));
  entry.record.config = { ...config, resources, ...(restartPolicy ? { restartPolicy } : {}) };
  await context.table.save(entry);
  emitContainerEvent(context, entry, 'update');
  return { warnings: [] };
}
