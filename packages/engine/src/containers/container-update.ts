import { parseContainerConfig } from '@berth/container';
import { InvalidArgumentError } from '@berth/errdefs';
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
 * `docker update`: new resources and restart policy, validated with the whole config
 * (docker's cross-field rules). Recorded for the next start; the OCI runtime seam has no
 * live cgroup update yet. Event: `update`.
 */
export async function updateContainer(context: ContainerContext, entry: ContainerEntry, options: ContainerUpdateOptions): Promise<{ warnings: string[] }> {
  const { config } = entry.record;
  const resources = { ...(config.resources ?? {}), ...(options.resources ?? {}) };
  const restartPolicy = options.restartPolicy ?? config.restartPolicy;
  if (restartPolicy && restartPolicy.name !== 'no' && entry.record.options.autoRemove) {
    throw new InvalidArgumentError('Restart policy cannot be updated because AutoRemove is enabled for the container');
  }
  // Validate the whole config as it would be, so docker's cross-field rules apply.
  const { imageVolumes: _imageVolumes, ...plain } = config;
  parseContainerConfig({ ...plain, resources, ...(restartPolicy ? { restartPolicy } : {}) });
  entry.record.config = { ...config, resources, ...(restartPolicy ? { restartPolicy } : {}) };
  await context.table.save(entry);
  emitContainerEvent(context, entry, 'update');
  const running = entry.record.state.status === 'running' || entry.record.state.status === 'paused';
  return { warnings: running && options.resources ? ['resource limits apply from the next start'] : [] };
}
