import type { ContainerEventAction } from '../events/event-types.js';
import type { ContainerHost } from '../internal/engine-components.js';
import type { EngineContext } from '../internal/engine-context.js';
import type { ContainerEntry, ContainerTable } from './container-table.js';
import type { ExecEntry } from './exec-entry.js';

/** What the container operations share. */
export interface ContainerContext {
  engine: EngineContext;
  host: ContainerHost;
  table: ContainerTable;
  execs: Map<string, ExecEntry>;
  /** Set when the engine closes: exits no longer trigger restarts. */
  closing: boolean;
  /** The supervisor's action when a container turns unhealthy (set once the part is built). */
  onUnhealthy?: (entry: ContainerEntry) => Promise<void>;
}

/** Emits a container event with docker's attributes: name, image, the labels, and `extra`. */
export function emitContainerEvent(context: ContainerContext, entry: ContainerEntry, action: ContainerEventAction, extra: Record<string, string> = {}): void {
  const { record } = entry;
  context.engine.bus.emit({
    type: 'container',
    action,
    actor: { id: record.id, attributes: { ...record.config.labels, image: record.options.image, name: record.name, ...extra } },
  });
}

/** Resolves at the container's next exit (after it is recorded). */
export function nextExit(entry: ContainerEntry): Promise<void> {
  return new Promise((resolve) => {
    const listener = () => {
      entry.exitListeners.delete(listener);
      resolve();
    };
    entry.exitListeners.add(listener);
  });
}

/** Resolves when the container is removed. */
export function removal(entry: ContainerEntry): Promise<void> {
  return new Promise((resolve) => {
    const listener = () => {
      entry.removedListeners.delete(listener);
      resolve();
    };
    entry.removedListeners.add(listener);
  });
}

/** Calls and clears a set of listeners. */
export function notify(listeners: Set<() => void>): void {
  for (const listener of [...listeners]) listener();
}
