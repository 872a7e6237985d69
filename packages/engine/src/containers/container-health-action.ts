import type { ContainerContext } from './container-context.js';
import { killRunning, restartContainer, stopRunning } from './container-control.js';
import { serialized, type ContainerEntry } from './container-table.js';

/**
 * The supervisor's answer to a container turning unhealthy, per its `healthOnFailure`:
 * nothing (docker's behaviour), or kill, stop or restart it as a user would (so a killed or
 * stopped container is not brought back by its restart policy).
 */
export function unhealthyAction(context: ContainerContext): (entry: ContainerEntry) => Promise<void> {
  return async (entry) => {
    const action = entry.record.options.healthOnFailure ?? 'none';
    if (action === 'none' || context.closing) return;
    await serialized(entry, async () => {
      if (entry.record.state.status !== 'running') return;
      if (action === 'kill') await killRunning(context, entry);
      else if (action === 'stop') await stopRunning(context, entry);
      else await restartContainer(context, entry);
    });
  };
}
