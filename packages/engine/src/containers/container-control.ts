import {
  checkPause,
  checkStart,
  checkStop,
  checkUnpause,
  exitContainer,
  killContainer,
  parseSignal,
  pauseContainer,
  stopContainer,
  unpauseContainer,
} from '@berth/container';
import { setLongTimeout } from '../internal/long-timeout.js';
import { emitContainerEvent, nextExit, type ContainerContext } from './container-context.js';
import { refOf, runContainer } from './container-run.js';
import type { ContainerEntry } from './container-table.js';
import { processGone } from './process-gone.js';
import type { ContainerStopOptions } from './container-types.js';

/** `docker start`: nothing when already running (docker's 304). */
export async function startExisting(context: ContainerContext, entry: ContainerEntry): Promise<void> {
  if (!checkStart(refOf(entry), entry.record.state)) return;
  await runContainer(context, entry);
}

/** A restarting container has no process: cancelling its pending restart makes it exited. */
async function cancelPendingRestart(context: ContainerContext, entry: ContainerEntry): Promise<boolean> {
  if (entry.record.state.status !== 'restarting') return false;
  if (entry.restartTimer) clearTimeout(entry.restartTimer);
  entry.restartTimer = undefined;
  const { state } = entry.record;
  entry.record.state = { ...exitContainer(state, { exitCode: state.exitCode, now: state.finishedAt ?? new Date() }).state, manuallyStopped: true };
  await context.table.save(entry);
  return true;
}

/**
 * `docker stop`: the stop signal, then SIGKILL after the timeout (none when it is negative:
 * the exit is waited for, however long); resolves when the process has exited. Not
 * running: nothing (docker's 304). Events: `kill`, (`die`), `stop`.
 */
export async function stopRunning(context: ContainerContext, entry: ContainerEntry, options: ContainerStopOptions = {}): Promise<void> {
  const { record } = entry;
  if (!checkStop(refOf(entry), record.state)) return;
  if (await cancelPendingRestart(context, entry)) {
    emitContainerEvent(context, entry, 'stop');
    return;
  }
  record.state = stopContainer(refOf(entry), record.state).state;
  await context.table.save(entry);
  const exited = nextExit(entry);
  const signal = options.signal ?? record.config.stopSignal ?? 'SIGTERM';
  const timeoutSeconds = options.timeout ?? record.config.stopTimeout ?? 10;
  await sendSignal(context, entry, signal);
  // A negative timeout waits for the exit however long it takes, as dockerd's -1.
  if (timeoutSeconds >= 0) {
    let cancel: () => void = () => undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        // Not a plain setTimeout: past 2^31 ms it would fire at once and kill at once.
        cancel = setLongTimeout(() => resolve(true), timeoutSeconds * 1000);
      }),
    ]);
    cancel();
    if (timedOut) await sendSignal(context, entry, 'SIGKILL');
  }
  await exited;
  emitContainerEvent(context, entry, 'stop');
}

async function sendSignal(context: ContainerContext, entry: ContainerEntry, signal: string | number): Promise<void> {
  const parsed = parseSignal(signal);
  // A paused process cannot act on a signal other than SIGKILL: thaw it first, as docker does.
  if (entry.record.state.status === 'paused' && parsed.name !== 'SIGKILL') await context.host.runtime.resume(entry.record.id);
  await context.host.runtime.kill(entry.record.id, parsed.name).catch((err: unknown) => {
    // Exiting on its own just now (its exit not recorded yet): the signal has nothing left to do.
    if (!processGone(err)) throw err;
  });
  emitContainerEvent(context, entry, 'kill', { signal: String(parsed.number) });
}

/** `docker kill`: not running → `FailedPrecondition`. Event: `kill`. */
export async function killRunning(context: ContainerContext, entry: ContainerEntry, signal: string = 'SIGKILL'): Promise<void> {
  const { record } = entry;
  const transition = killContainer(refOf(entry), record.state, { signal, ...(record.config.stopSignal ? { stopSignal: record.config.stopSignal } : {}) });
  record.state = transition.state;
  await context.table.save(entry);
  if (await cancelPendingRestart(context, entry)) return;
  const parsed = parseSignal(signal);
  const exited = parsed.name === 'SIGKILL' ? nextExit(entry) : undefined;
  await sendSignal(context, entry, parsed.name);
  // SIGKILL always ends the process: resolve once its exit is recorded, as docker's kill returns after it.
  await exited;
}

/** `docker restart`: stop (if running), then start. Event: `restart` after `start`. */
export async function restartContainer(context: ContainerContext, entry: ContainerEntry, options: ContainerStopOptions = {}): Promise<void> {
  await stopRunning(context, entry, options);
  await runContainer(context, entry);
  emitContainerEvent(context, entry, 'restart');
}

/** `docker pause`. Event: `pause`. */
export async function pauseRunning(context: ContainerContext, entry: ContainerEntry): Promise<void> {
  checkPause(refOf(entry), entry.record.state);
  await context.host.runtime.pause(entry.record.id);
  entry.record.state = pauseContainer(refOf(entry), entry.record.state).state;
  await context.table.save(entry);
  emitContainerEvent(context, entry, 'pause');
}

/** `docker unpause`. Event: `unpause`. */
export async function unpausePaused(context: ContainerContext, entry: ContainerEntry): Promise<void> {
  checkUnpause(refOf(entry), entry.record.state);
  await context.host.runtime.resume(entry.record.id);
  entry.record.state = unpauseContainer(refOf(entry), entry.record.state).state;
  await context.table.save(entry);
  emitContainerEvent(context, entry, 'unpause');
}
