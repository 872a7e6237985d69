import type { ContainerContext } from './container-context.js';
import type { ContainerEntry } from './container-table.js';

/**
 * An attach made while the container was not running: it is connected to the process of
 * the container's next run, between the runtime's create and start, so none of that
 * run's output is missed (how `docker start -a` and `docker run` work: attach, then start).
 */
export interface PendingAttach {
  /** Called at the next start, before the process runs; resolves once connected. */
  connect(context: ContainerContext, entry: ContainerEntry): Promise<void>;
}

/** Connects the attaches waiting for this start (called after the runtime's create, before its start). */
export async function connectPendingAttaches(context: ContainerContext, entry: ContainerEntry): Promise<void> {
  const pendings = entry.pendingAttaches;
  if (!pendings || pendings.size === 0) return;
  const waiting = [...pendings];
  pendings.clear();
  await Promise.all(waiting.map((pending) => pending.connect(context, entry)));
}
