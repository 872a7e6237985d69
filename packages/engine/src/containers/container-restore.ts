import { shouldStartOnEngineStart } from '@berth/container';
import { isNotFound } from '@berth/errdefs';
import type { ContainerContext } from './container-context.js';
import { startHealthMonitor } from './container-health.js';
import { adoptRootfs, handleExit, runContainer, watchExit } from './container-run.js';
import type { ContainerEntry } from './container-table.js';

const liveStatuses = new Set(['running', 'paused', 'restarting']);

/**
 * Live restore, when an engine opens on a data root with containers: a container the
 * runtime still runs is adopted (its exit watched again, its healthchecks resumed); one
 * that died while no engine watched is marked exited with the exit the runtime recorded
 * (255 when it has none); then — as for stopped containers — those whose restart policy
 * says so (`always`, `unless-stopped` not stopped by a user, `on-failure` within its
 * retries) are started at once, as docker's daemon does at start. Volume users are
 * registered again (the volume service keeps them in memory).
 */
export async function restoreContainers(context: ContainerContext, entries: readonly ContainerEntry[]): Promise<void> {
  const { runtime } = context.host;
  for (const entry of entries) {
    const { record } = entry;
    for (const [name] of Object.entries(record.volumes)) await context.engine.volumes.addUser(name, record.id).catch(() => undefined);
    if (!liveStatuses.has(record.state.status)) {
      if (record.state.status === 'exited' && shouldStartOnEngineStart(record.config.restartPolicy, record.state)) {
        await runContainer(context, entry, { byRestartPolicy: true }).catch(() => undefined);
      }
      continue;
    }
    let state;
    try {
      state = await runtime.state(record.id);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (state && (state.status === 'running' || state.status === 'paused')) {
      record.state = { ...record.state, status: state.status, pid: state.pid };
      await context.table.save(entry);
      await adoptRootfs(context, entry);
      watchExit(context, entry);
      startHealthMonitor(context, entry, context.onUnhealthy);
      continue;
    }
    const exit = state?.exit ?? { exitCode: 255, exitedAt: new Date(), oomKilled: false };
    await adoptRootfs(context, entry);
    if (record.state.status === 'restarting') record.state = { ...record.state, status: 'running' };
    // Docker's daemon restore: record the exit, then start at once what the policy keeps up (no backoff).
    await handleExit(context, entry, exit, undefined, { applyPolicy: false });
    if (entry.record.state.status === 'exited' && shouldStartOnEngineStart(record.config.restartPolicy, entry.record.state)) {
      await runContainer(context, entry, { byRestartPolicy: true }).catch(() => undefined);
    }
  }
}
