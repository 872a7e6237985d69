import type { ContainerContext } from './container-context.js';
import type { ContainerEntry } from './container-table.js';

/**
 * The runtime's forgetting of a run that ended (its `delete`: conmon's `runc delete` exit
 * command, the runtime's files), per container. An exit is recorded — and `wait` answers —
 * without waiting for it: only what needs the runtime to have forgotten the container waits
 * (the next run's create, removal, the engine's close), and meanwhile removal does its own
 * file work alongside.
 */
const pendingCleanups = new WeakMap<ContainerEntry, Promise<void>>();

/** Every cleanup still running, per engine: its close waits for them. */
const cleanupsByContext = new WeakMap<ContainerContext, Set<Promise<void>>>();

/** Records `cleanup` (which never rejects) as the container's pending runtime cleanup. */
export function trackRuntimeCleanup(context: ContainerContext, entry: ContainerEntry, cleanup: Promise<void>): void {
  const all = cleanupsByContext.get(context) ?? new Set<Promise<void>>();
  cleanupsByContext.set(context, all);
  const tracked = cleanup.finally(() => {
    all.delete(tracked);
    if (pendingCleanups.get(entry) === tracked) pendingCleanups.delete(entry);
  });
  all.add(tracked);
  pendingCleanups.set(entry, tracked);
}

/** Resolves once the container's last run is forgotten by the runtime (at once when nothing is pending). */
export async function runtimeCleanupOf(entry: ContainerEntry): Promise<void> {
  await pendingCleanups.get(entry);
}

/** Resolves once every pending runtime cleanup of this engine has finished. */
export async function allRuntimeCleanups(context: ContainerContext): Promise<void> {
  await Promise.all([...(cleanupsByContext.get(context) ?? [])]);
}
