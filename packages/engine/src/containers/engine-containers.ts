import { z } from 'zod';
import { checkAttach } from '@berth/container';
import { FailedPreconditionError, isNotFound } from '@berth/errdefs';
import type { ImageUser } from '@berth/image';
import type { ContainersApi, NetworksApi } from '../engine.js';
import type { EngineContext } from '../internal/engine-context.js';
import type { ContainerContext } from './container-context.js';
import { killRunning, pauseRunning, restartContainer, startExisting, stopRunning, unpausePaused } from './container-control.js';
import { createContainer } from './container-create.js';
import { createExec, execById, inspectExec, startExec } from './container-exec.js';
import { archiveOf, changesOf, commitContainer, exportContainer, extractInto, statOf } from './container-files.js';
import { attachTo } from './container-attach.js';
import { containerLogs, statsOf, topOf, waitFor } from './container-io.js';
import { parseContainerRecord } from './container-record.js';
import { removeContainer } from './container-remove.js';
import { stopHealthMonitor } from './container-health.js';
import { connectContainer, disconnectContainer } from './container-connect.js';
import { restoreContainers } from './container-restore.js';
import { renameContainer, updateContainer } from './container-update.js';
import { ContainerTable, serialized } from './container-table.js';
import { inspectContainer, listContainers, prunableContainers } from './container-views.js';
import { containerlessPart } from './containerless-part.js';
import { unhealthyAction } from './container-health-action.js';
import { refOf } from './container-run.js';
import { allRuntimeCleanups } from './runtime-cleanup.js';

/** The container part of an engine, with the hooks the other parts need from it. */
export interface ContainerPart {
  api: ContainersApi;
  imageUsers: (imageId: string) => ImageUser[];
  count: () => { total: number; running: number; paused: number; stopped: number };
  connect: NetworksApi['connect'];
  disconnect: NetworksApi['disconnect'];
  /** Stops supervision (containers keep running). */
  close: () => Promise<void>;
}

const liveStatuses = new Set(['running', 'paused', 'restarting']);

/** An iterable that looks its source up when iterated, so a missing container is an iteration error, not a throw at the call. */
function lazily<T>(open: () => AsyncIterable<T>): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      yield* open();
    },
  };
}

/**
 * Opens the container part: loads the stored containers, reconciles them with the runtime
 * ({@link restoreContainers}), and returns the {@link ContainersApi} with the hooks the
 * other parts use. Operations on one container run one at a time.
 */
export async function createContainersApi(context: EngineContext): Promise<ContainerPart> {
  const host = context.components.containers;
  if (!host) return containerlessPart();
  const table = new ContainerTable(context.components.metadata.collection('containers', z.unknown()));
  const containers: ContainerContext = { engine: context, host, table, execs: new Map(), closing: false };
  containers.onUnhealthy = unhealthyAction(containers);
  await restoreContainers(containers, await table.load(parseContainerRecord));

  const byId = (id: string) => table.get(id);
  const api: ContainersApi = {
    create: (options) => createContainer(containers, options),
    start: async (id) => {
      const entry = byId(id);
      return serialized(entry, () => startExisting(containers, entry));
    },
    stop: async (id, options) => {
      const entry = byId(id);
      return serialized(entry, () => stopRunning(containers, entry, options));
    },
    kill: async (id, signal) => {
      const entry = byId(id);
      return serialized(entry, () => killRunning(containers, entry, signal));
    },
    restart: async (id, options) => {
      const entry = byId(id);
      return serialized(entry, () => restartContainer(containers, entry, options));
    },
    pause: async (id) => {
      const entry = byId(id);
      return serialized(entry, () => pauseRunning(containers, entry));
    },
    unpause: async (id) => {
      const entry = byId(id);
      return serialized(entry, () => unpausePaused(containers, entry));
    },
    remove: async (id, options) => {
      const entry = byId(id);
      return serialized(entry, () => removeContainer(containers, entry, options));
    },
    wait: async (id, options = {}) => waitFor(byId(id), options.condition, options.signal),
    logs: (id, options) => lazily(() => containerLogs(byId(id), options)),
    attach: async (id, options) => {
      // After a start in progress: a container being started is attached to its new run.
      const entry = byId(id);
      return serialized(entry, () => attachTo(containers, entry, options));
    },
    resize: async (id, size) => {
      const entry = byId(id);
      checkAttach(refOf(entry), entry.record.state);
      await host.runtime.resize(entry.record.id, size);
    },
    exec: async (id, options) => createExec(containers, byId(id), options),
    execStart: async (execId, options) => startExec(containers, execById(containers, execId), options),
    execInspect: async (execId) => inspectExec(execById(containers, execId)),
    execResize: async (execId, size) => {
      const exec = execById(containers, execId);
      // As dockerd (up to 10 s): a client resizes right after its start request, which over
      // the API may come before the process runs; a started exec is waited for, not refused.
      if (exec.launched) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exec.launched, new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
        clearTimeout(timer);
      }
      if (!exec.process || !exec.running) throw new FailedPreconditionError(`exec ${execId} is not running`);
      await exec.process.resize(size);
    },
    inspect: async (id, options) => inspectContainer(containers, byId(id), options),
    list: (options) => listContainers(containers, options),
    top: async (id, psArgs) => topOf(containers, byId(id), psArgs),
    stats: (id, options) => lazily(() => statsOf(containers, byId(id), options)),
    rename: async (id, newName) => renameContainer(containers, byId(id), newName),
    update: async (id, options) => {
      const entry = byId(id);
      return serialized(entry, () => updateContainer(containers, entry, options));
    },
    getArchive: async (id, path) => archiveOf(containers, byId(id), path),
    statPath: async (id, path) => statOf(containers, byId(id), path),
    putArchive: async (id, path, archive, options) => extractInto(containers, byId(id), path, archive, options),
    export: async (id, target) => exportContainer(containers, byId(id), target),
    commit: async (id, options) => commitContainer(containers, byId(id), options),
    changes: async (id) => changesOf(containers, byId(id)),
    prune: async (options = {}) => {
      const deleted: string[] = [];
      for (const entry of prunableContainers(containers, options.filters ?? {})) {
        try {
          await serialized(entry, () => removeContainer(containers, entry));
          deleted.push(entry.record.id);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      context.bus.emit({ type: 'container', action: 'prune', actor: { id: '', attributes: { reclaimed: '0' } } });
      return { containersDeleted: deleted, spaceReclaimed: 0 };
    },
  };

  return {
    api,
    imageUsers: (imageId) =>
      table
        .all()
        .filter((entry) => entry.record.imageId === imageId)
        .map((entry) => ({ containerId: entry.record.id, running: liveStatuses.has(entry.record.state.status) })),
    count: () => {
      const all = table.all();
      const running = all.filter((e) => e.record.state.status === 'running' || e.record.state.status === 'restarting').length;
      const paused = all.filter((e) => e.record.state.status === 'paused').length;
      return { total: all.length, running, paused, stopped: all.length - running - paused };
    },
    connect: (network, container, options) => connectContainer(containers, network, container, options),
    disconnect: (network, container, options) => disconnectContainer(containers, network, container, options),
    close: async () => {
      containers.closing = true;
      for (const entry of table.all()) {
        if (entry.restartTimer) clearTimeout(entry.restartTimer);
        entry.restartTimer = undefined;
        stopHealthMonitor(entry);
      }
      await allRuntimeCleanups(containers);
      await host.runtime.close();
    },
  };
}
