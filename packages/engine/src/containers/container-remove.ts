import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkRemove, parseSignal, removedContainer, removingContainer } from '@berth/container';
import { isConflict, isNotFound } from '@berth/errdefs';
import { emitContainerEvent, nextExit, notify, type ContainerContext } from './container-context.js';
import { unmountRootfs } from './container-run.js';
import type { ContainerEntry } from './container-table.js';
import { processGone } from './process-gone.js';
import { runtimeCleanupOf } from './runtime-cleanup.js';
import type { ContainerRemoveOptions } from './container-types.js';

/**
 * `docker rm`: a live container needs `force` (then it is killed first). Removes its
 * snapshot, log, bundle and record, unregisters it from its volumes (removing its
 * anonymous ones with `volumes`). Event: `destroy`.
 */
export async function removeContainer(context: ContainerContext, entry: ContainerEntry, options: ContainerRemoveOptions = {}): Promise<void> {
  const { record } = entry;
  const ref = { id: record.id, name: record.name };
  checkRemove(ref, record.state, options);
  if (entry.restartTimer) {
    clearTimeout(entry.restartTimer);
    entry.restartTimer = undefined;
  }
  if (record.state.status === 'running' || record.state.status === 'paused') {
    const exited = nextExit(entry);
    record.state = { ...record.state, restartCanceled: true, manuallyStopped: true };
    await context.host.runtime.kill(record.id, 'SIGKILL').catch((err: unknown) => {
      // Exiting on its own just now (its exit not recorded yet): no failure, as for dockerd.
      // The exit is on its way, and waited for below.
      if (!processGone(err)) throw err;
    });
    emitContainerEvent(context, entry, 'kill', { signal: String(parseSignal('SIGKILL').number) });
    await exited;
  }
  record.state = removingContainer(ref, record.state, { force: true }).state;
  await context.table.save(entry);
  // The runtime forgets the container (after the cleanup its exit began, if still going)
  // while the files go: it needs neither the bundle nor the log.
  const runtimeForgotten = (async () => {
    await runtimeCleanupOf(entry);
    await context.host.runtime.delete(record.id, { force: true }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  })();
  // Its failure is reported by the allSettled below; until then it must not count as unhandled.
  runtimeForgotten.catch(() => undefined);
  // A file operation may still hold the root file system mounted (an archive stream not
  // yet closed): unmount it before its snapshot and bundle go. (It never rejects.)
  await unmountRootfs(context, entry);
  // The runtime, the snapshot, the log and the bundle are independent of one another:
  // removed together (all awaited, the first failure reported), then the volumes and the record.
  const removals = await Promise.allSettled([
    runtimeForgotten,
    context.engine.components.snapshotter.remove(record.snapshotKey).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    }),
    rm(dirname(record.logPath), { recursive: true, force: true }),
    rm(record.bundle, { recursive: true, force: true }),
  ]);
  const failed = removals.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  for (const [name, volume] of Object.entries(record.volumes)) {
    await context.engine.volumes.removeUser(name, record.id);
    if (options.volumes && volume.anonymous) {
      await context.engine.volumes.remove(name).catch((err: unknown) => {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      });
    }
  }
  for (const execId of entry.execs) context.execs.delete(execId);
  await context.table.delete(entry);
  record.state = removedContainer(record.state).state;
  emitContainerEvent(context, entry, 'destroy');
  notify(entry.removedListeners);
}
