import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type ExitStatus,
  createRuntimeSpec,
  decideRestart,
  exitContainer,
  failStart,
  readUserDatabase,
  resolveInRoot,
  resolveUser,
  restartingContainer,
  startContainer,
} from '@berth/container';
import { isNotFound } from '@berth/errdefs';
import type { RuntimeMount } from '@berth/spec';
import { emitContainerEvent, notify, type ContainerContext } from './container-context.js';
import { attachNetworks, detachNetworks } from './container-networking.js';
import { hostnameOf, writeNetworkFiles } from './container-network-files.js';
import type { ContainerEntry } from './container-table.js';
import { serialized } from './container-table.js';
import { removeContainer } from './container-remove.js';
import { runtimeCleanupOf, trackRuntimeCleanup } from './runtime-cleanup.js';
import { checkExecutable } from './find-executable.js';
import { connectPendingAttaches } from './pending-attach.js';
import { afterPreviousRun, runEnd } from './run-boundary.js';
import { startHealthMonitor, stopHealthMonitor } from './container-health.js';

/** The container as error messages name it. */
export function refOf(entry: ContainerEntry) {
  return { id: entry.record.id, name: entry.record.name };
}

async function persist(context: ContainerContext, entry: ContainerEntry): Promise<void> {
  await context.table.save(entry);
}

/** The directory of the container's root file system while it runs (mounted if need be). */
function rootfsTarget(entry: ContainerEntry): string {
  return join(entry.record.bundle, 'rootfs');
}

// Mounts and unmounts in progress, per container: a second mounter (a start during a file
// operation) joins the first instead of stacking a second mount on the same target, a
// mount waits for the unmount before it, and an unmount for the mount before it.
const pendingMounts = new WeakMap<ContainerEntry, Promise<string>>();
const pendingUnmounts = new WeakMap<ContainerEntry, Promise<void>>();

/** Mounts (or finds) the container's root file system; resolves to its directory. */
export async function mountRootfs(context: ContainerContext, entry: ContainerEntry): Promise<string> {
  if (entry.rootfs) return entry.rootfs;
  let pending = pendingMounts.get(entry);
  if (!pending) {
    pending = (async () => {
      await pendingUnmounts.get(entry);
      const mounts = await context.engine.components.snapshotter.mounts(entry.record.snapshotKey);
      await mkdir(entry.record.bundle, { recursive: true, mode: 0o700 });
      entry.rootfs = await context.host.mountRootfs(mounts, rootfsTarget(entry));
      return entry.rootfs;
    })().finally(() => pendingMounts.delete(entry));
    pendingMounts.set(entry, pending);
  }
  return pending;
}

/** After an engine restart: a running container's root file system is still mounted where its run put it. */
export async function adoptRootfs(context: ContainerContext, entry: ContainerEntry): Promise<void> {
  const mounts = await context.engine.components.snapshotter.mounts(entry.record.snapshotKey);
  const [only] = mounts;
  entry.rootfs = mounts.length === 1 && only?.type === 'bind' ? only.source : rootfsTarget(entry);
}

/** Unmounts the root file system if mounted; resolves once it is (also when another caller began it). */
export async function unmountRootfs(context: ContainerContext, entry: ContainerEntry): Promise<void> {
  // No await before taking `rootfs` when nothing is mounting: a mounter arriving in between
  // would be handed the directory this call is about to unmount.
  const mounting = pendingMounts.get(entry);
  if (mounting) await mounting.catch(() => undefined);
  if (entry.rootfs) {
    entry.rootfs = undefined;
    const unmounting: Promise<void> = context.host
      .unmountRootfs(rootfsTarget(entry))
      .catch(() => undefined)
      .finally(() => {
        if (pendingUnmounts.get(entry) === unmounting) pendingUnmounts.delete(entry);
      });
    pendingUnmounts.set(entry, unmounting);
  }
  await pendingUnmounts.get(entry);
}

/**
 * Starts the container's process: root file system, volumes (mounted, with copy-up),
 * network namespace and endpoints, runtime spec, then the runtime's create and start.
 * Resolves once the process runs; watches for its exit. A start that fails leaves the
 * container as it was, with the error recorded, and everything it set up undone.
 * Events: volume `mount`, network `connect`, container `start`.
 */
export async function runContainer(context: ContainerContext, entry: ContainerEntry, options: { byRestartPolicy?: boolean } = {}): Promise<void> {
  const { record } = entry;
  const { runtime } = context.host;
  const volumes = context.engine.volumes;
  const mounted: string[] = [];
  try {
    await afterPreviousRun(record.state.finishedAt);
    const rootfs = await mountRootfs(context, entry);
    await checkExecutable(rootfs, record);
    const user = resolveUser(record.config.user, await readUserDatabase(rootfs), record.config.groupAdd ?? []);
    const volumePaths = new Map<string, string>();
    for (const [name, { target }] of Object.entries(record.volumes)) {
      const mount = (record.config.mounts ?? []).find((m) => m.type === 'volume' && m.source === name);
      const copyFrom = mount && mount.type === 'volume' && mount.noCopy ? undefined : await resolveInRoot(rootfs, target).catch(() => undefined);
      volumePaths.set(name, await volumes.mount(name, record.id, copyFrom ? { copyFrom } : {}));
      mounted.push(name);
      context.engine.bus.emit({
        type: 'volume',
        action: 'mount',
        actor: { id: name, attributes: { container: record.id, destination: target, driver: (await volumes.inspect(name)).Driver, propagation: '', 'read/write': String(!mount?.readOnly) } },
      });
    }
    const image = await context.engine.images.resolve(record.imageId);
    const network = await attachNetworks(context, entry, Object.keys(image.config.config?.ExposedPorts ?? {}));
    const hostname = hostnameOf(entry);
    const extraMounts = await writeNetworkFiles(context, entry, hostname);
    const spec = createRuntimeSpec(
      { ...record.config, hostname },
      {
        id: record.id,
        rootfs,
        user,
        network,
        extraMounts,
        ...(context.host.initPath ? { initPath: context.host.initPath } : {}),
        resolveVolume: (mount) => volumePaths.get(mount.source ?? '') ?? '',
      },
    );
    await mkdir(dirname(record.logPath), { recursive: true });
    // The last run's runtime cleanup may still be going (a restart right after an exit).
    await runtimeCleanupOf(entry);
    await runtime.delete(record.id, { force: true }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    const created = await runtime.create(record.id, {
      bundle: record.bundle,
      spec,
      logPath: record.logPath,
      ...(record.config.openStdin ? { openStdin: true } : {}),
      ...(record.config.stdinOnce ? { stdinOnce: true } : {}),
    });
    // Clients that attached before the start (`docker start -a`) see all of this run.
    await connectPendingAttaches(context, entry);
    await runtime.start(record.id);
    // The init process runc created is the one `start` let run: its PID is known already.
    record.state = startContainer(refOf(entry), record.state, { pid: created.pid, now: new Date(), ...(options.byRestartPolicy ? { byRestartPolicy: true } : {}) }).state;
    await persist(context, entry);
    emitContainerEvent(context, entry, 'start');
    watchExit(context, entry);
    startHealthMonitor(context, entry, context.onUnhealthy);
  } catch (err) {
    await runtimeCleanupOf(entry);
    await runtime.delete(record.id, { force: true }).catch(() => undefined);
    await releaseRun(context, entry, mounted).catch(() => undefined);
    const message = (err as Error).message;
    record.state = failStart(record.state, { error: message, now: new Date(), ...exitCodeForStartError(message) });
    await persist(context, entry);
    // As dockerd, an auto-remove container whose start failed is removed (`docker run --rm`
    // waits for that); queued behind the start that holds the container now.
    if (record.options.autoRemove) void serialized(entry, () => removeContainer(context, entry, { volumes: true })).catch(() => undefined);
    throw err;
  }
}

/** docker's exit codes for a start that failed: 127 for a missing program, 126 for one that cannot run. */
function exitCodeForStartError(message: string): { exitCode?: number } {
  if (/not found|no such file/i.test(message)) return { exitCode: 127 };
  if (/permission denied|not executable/i.test(message)) return { exitCode: 126 };
  return {};
}

/** Undoes what a run set up: volume mounts, network endpoints and namespace, the rootfs mount. */
async function releaseRun(context: ContainerContext, entry: ContainerEntry, volumes: readonly string[]): Promise<void> {
  const { record } = entry;
  stopHealthMonitor(entry);
  for (const name of volumes) {
    const driver = (await context.engine.volumes.inspect(name).catch(() => undefined))?.Driver ?? '';
    await context.engine.volumes.unmount(name, record.id).catch(() => undefined);
    context.engine.bus.emit({ type: 'volume', action: 'unmount', actor: { id: name, attributes: { container: record.id, driver } } });
  }
  await detachNetworks(context, entry);
  await unmountRootfs(context, entry);
}

/** Attaches the exit watcher of the current run (once per run). */
export function watchExit(context: ContainerContext, entry: ContainerEntry): void {
  if (entry.watching) return;
  entry.watching = true;
  context.host.runtime.wait(entry.record.id).then(
    (exit) => {
      entry.watching = false;
      return handleExit(context, entry, exit);
    },
    (err: unknown) => {
      entry.watching = false;
      return handleExit(context, entry, { exitCode: 255, exitedAt: new Date(), oomKilled: false }, (err as Error).message);
    },
  ).catch(() => undefined);
}

/**
 * The process ended: release the run, then ask the restart policy. Restart → `restarting`
 * and a start after the backoff delay; otherwise `exited` (and removed with `autoRemove`).
 * Events: `oom` (when OOM-killed), `die` (with `exitCode`), volume `unmount`, network `disconnect`.
 */
export async function handleExit(
  context: ContainerContext,
  entry: ContainerEntry,
  exit: ExitStatus,
  error?: string,
  options: { applyPolicy?: boolean } = {},
): Promise<void> {
  const { record } = entry;
  // A closed engine leaves exits to the next one on this data root (live restore).
  if (record.state.status === 'removed' || context.closing) return;
  const runtimeDeleted = context.host.runtime.delete(record.id, { force: true }).then(
    () => undefined,
    () => undefined,
  );
  // A process that exited as recorded needs nothing of the host's: its mounts and network
  // go while the runtime forgets it, and the exit is recorded without waiting for the
  // runtime (conmon's `runc delete` takes a process spawn): the next run, removal and
  // close wait for it instead. After a failed wait the process may still run: deleted (killed) first.
  if (error !== undefined) await runtimeDeleted;
  else trackRuntimeCleanup(context, entry, runtimeDeleted);
  await releaseRun(context, entry, Object.keys(record.volumes));
  const ranForMs = record.state.startedAt ? exit.exitedAt.getTime() - record.state.startedAt.getTime() : 0;
  const exitInfo = { exitCode: exit.exitCode, now: await runEnd(record.logPath, exit.exitedAt), oomKilled: exit.oomKilled, ...(error ? { error } : {}) };
  const decision = record.options.autoRemove || options.applyPolicy === false
    ? ({ restart: false } as const)
    : decideRestart(record.config.restartPolicy, {
        exitCode: exit.exitCode,
        ranForMs,
        restartCount: record.state.restartCount,
        previousDelayMs: record.previousDelayMs,
        restartCanceled: record.state.restartCanceled,
        manuallyStopped: record.state.manuallyStopped,
        engineShuttingDown: context.closing,
      });
  if (exit.oomKilled) emitContainerEvent(context, entry, 'oom');
  if (decision.restart) {
    record.state = restartingContainer(record.state, exitInfo).state;
    record.previousDelayMs = decision.delayMs;
    await persist(context, entry);
    emitContainerEvent(context, entry, 'die', { exitCode: String(exit.exitCode) });
    notify(entry.exitListeners);
    entry.restartTimer = setTimeout(() => {
      entry.restartTimer = undefined;
      void serialized(entry, async () => {
        if (record.state.status !== 'restarting' || context.closing) return;
        await runContainer(context, entry, { byRestartPolicy: true });
      }).catch(() => undefined);
    }, decision.delayMs);
    return;
  }
  record.state = exitContainer(record.state, exitInfo).state;
  if (ranForMs >= 10_000) record.previousDelayMs = 0;
  await persist(context, entry);
  emitContainerEvent(context, entry, 'die', { exitCode: String(exit.exitCode) });
  notify(entry.exitListeners);
  if (record.options.autoRemove) {
    await serialized(entry, () => removeContainer(context, entry, { volumes: true })).catch(() => undefined);
  }
}
