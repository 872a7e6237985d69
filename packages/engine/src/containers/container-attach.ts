import { PassThrough, type Writable } from 'node:stream';
import { checkAttach, type AttachSession as RuntimeAttachSession } from '@berth/container';
import { emitContainerEvent, nextExit, removal, type ContainerContext } from './container-context.js';
import { containerLogs, mergeOutput } from './container-io.js';
import { refOf } from './container-run.js';
import type { ContainerEntry } from './container-table.js';
import type { AttachSession, ContainerAttachOptions, LogChunk } from './container-types.js';
import type { PendingAttach } from './pending-attach.js';

const running = (entry: ContainerEntry) => entry.record.state.status === 'running';
const waitsForStart = (entry: ContainerEntry) => ['created', 'exited'].includes(entry.record.state.status);

/** A signal aborted by `stop` or by the caller's `signal`. */
function linkedSignal(stop: AbortController, signal: AbortSignal | undefined): AbortSignal {
  return signal ? AbortSignal.any([stop.signal, signal]) : stop.signal;
}

/** Runtime attach for stdin only (output comes from the log), or for everything asked. */
function runtimeOptions(entry: ContainerEntry, options: ContainerAttachOptions, outputFromLog: boolean) {
  return {
    stdin: (options.stdin ?? false) && (entry.record.config.openStdin ?? false),
    stdout: !outputFromLog && (options.stdout ?? true),
    stderr: !outputFromLog && (options.stderr ?? true),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/**
 * Writes to `target` once there is one; what comes before is held (the process's stdin
 * exists only once its run starts). Ending it ends the target, once there.
 */
function heldStdin(): { stdin: PassThrough; connect(target: Writable | undefined): void } {
  const stdin = new PassThrough();
  stdin.pause();
  return {
    stdin,
    connect(target) {
      if (!target) {
        stdin.resume();
        return;
      }
      target.on('error', () => undefined);
      stdin.pipe(target);
    },
  };
}

/**
 * `docker attach`: output from now on, and stdin if asked (and the container keeps its stdin
 * open). With `logs`, the log first and then the live output, read from the log by one
 * reader, so each line arrives once. A running container is attached at once; a created or
 * exited one at its next start (the session ends with that run); a paused or restarting one
 * is refused (`FailedPrecondition`). Event: `attach`.
 */
export async function attachTo(context: ContainerContext, entry: ContainerEntry, options: ContainerAttachOptions = {}): Promise<AttachSession> {
  if (!waitsForStart(entry)) checkAttach(refOf(entry), entry.record.state);
  const stop = new AbortController();
  const signal = linkedSignal(stop, options.signal);
  const logs = options.logs ?? false;
  const streams = { stdout: options.stdout ?? true, stderr: options.stderr ?? true };

  if (running(entry)) {
    const session = await context.host.runtime.attach(entry.record.id, runtimeOptions(entry, options, logs));
    emitContainerEvent(context, entry, 'attach');
    const output = logs ? containerLogs(entry, { ...streams, follow: true, signal }) : mergeOutput(session.stdout, session.stderr);
    return {
      output,
      stdin: session.stdin,
      detach: async () => {
        stop.abort();
        await session.close();
      },
    };
  }

  // Not running yet: connected at the next start.
  let session: RuntimeAttachSession | undefined;
  let settle!: (session: RuntimeAttachSession | undefined) => void;
  const connected = new Promise<RuntimeAttachSession | undefined>((resolve) => (settle = resolve));
  const held = heldStdin();
  let runEnded: Promise<void> | undefined;
  const forget = () => {
    pendings.delete(pending);
    entry.removedListeners.delete(forget);
    settle(undefined);
  };
  const pending: PendingAttach = {
    async connect(ctx, target) {
      entry.removedListeners.delete(forget);
      // The end of this run: registered before the process runs, so it cannot be missed.
      runEnded = Promise.race([nextExit(target), removal(target)]);
      try {
        session = await ctx.host.runtime.attach(target.record.id, runtimeOptions(target, options, logs));
      } catch {
        session = undefined;
      }
      held.connect(session?.stdin);
      settle(session);
    },
  };
  const pendings = (entry.pendingAttaches ??= new Set());
  pendings.add(pending);
  // Removed, or detached, before any start: the session ends.
  entry.removedListeners.add(forget);
  signal.addEventListener('abort', forget, { once: true });
  emitContainerEvent(context, entry, 'attach');

  async function* output(): AsyncGenerator<LogChunk> {
    if (logs) {
      // The log as it is, then the next run's lines as they come (one reader: each once).
      const started = connected.then(() => runEnded);
      yield* containerLogs(entry, { ...streams, follow: true, signal }, started);
      return;
    }
    const live = await connected;
    if (live) yield* mergeOutput(live.stdout, live.stderr);
  }

  return {
    output: output(),
    stdin: options.stdin ? held.stdin : undefined,
    detach: async () => {
      stop.abort();
      await session?.close();
    },
  };
}
