import type { Readable } from 'node:stream';
import { checkTop, readLogs } from '@berth/container';
import { InvalidArgumentError } from '@berth/errdefs';
import { nextExit, removal, type ContainerContext } from './container-context.js';
import { refOf } from './container-run.js';
import { networkStatsOf } from './container-network-stats.js';
import type { ContainerEntry } from './container-table.js';
import type {
  ContainerLogsOptions,
  ContainerStats,
  ContainerStatsOptions,
  LogChunk,
  TopResult,
  WaitCondition,
  WaitResult,
} from './container-types.js';

const live = (entry: ContainerEntry) => ['running', 'paused', 'restarting'].includes(entry.record.state.status);

/** Rejects when `signal` aborts. */
function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * `docker wait`: `not-running` resolves at once for a container that is not running, else
 * at its exit; `next-exit` at the next exit; `removed` at its removal. Resolves with the
 * exit code recorded then.
 */
export async function waitFor(entry: ContainerEntry, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<WaitResult> {
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) {
    throw new InvalidArgumentError(`invalid condition: "${condition}"`);
  }
  const result = (): WaitResult => ({
    statusCode: entry.record.state.exitCode,
    ...(entry.record.state.error ? { error: entry.record.state.error } : {}),
  });
  if (condition === 'not-running' && !live(entry)) return result();
  const event = condition === 'removed' ? removal(entry) : nextExit(entry);
  await Promise.race([event, aborted(signal)]);
  return result();
}

/**
 * `docker logs`: the container's log, filtered; with `follow`, until it stops — or until
 * `followUntil` settles when given (an attach waiting for the next run follows that run).
 */
export async function* containerLogs(entry: ContainerEntry, options: ContainerLogsOptions = {}, followUntil?: PromiseLike<unknown>): AsyncGenerator<LogChunk> {
  followUntil ??= options.follow ? (live(entry) ? Promise.race([nextExit(entry), removal(entry)]) : Promise.resolve()) : undefined;
  const entries = readLogs(entry.record.logPath, {
    ...(options.stdout !== undefined ? { stdout: options.stdout } : {}),
    ...(options.stderr !== undefined ? { stderr: options.stderr } : {}),
    ...(options.since ? { since: options.since } : {}),
    ...(options.until ? { until: options.until } : {}),
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.follow ? { follow: true, followUntil } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    for await (const line of entries) {
      yield { stream: line.stream, data: line.partial ? line.message : Buffer.concat([line.message, Buffer.from('\n')]), time: line.time };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    if (options.signal?.aborted) return;
    throw err;
  }
}

/** Merges stdout and stderr streams into one iterable of chunks, ending when both end. */
export async function* mergeOutput(stdout: Readable | undefined, stderr: Readable | undefined): AsyncGenerator<LogChunk> {
  const queue: LogChunk[] = [];
  let open = 0;
  let wake: (() => void) | undefined;
  let failure: unknown;
  const follow = (stream: Readable | undefined, name: 'stdout' | 'stderr') => {
    if (!stream) return;
    open += 1;
    stream.on('data', (data: Buffer) => {
      queue.push({ stream: name, data: Buffer.from(data), time: new Date() });
      wake?.();
    });
    stream.once('end', () => {
      open -= 1;
      wake?.();
    });
    stream.once('close', () => {
      if (!stream.readableEnded) {
        open -= 1;
        wake?.();
      }
    });
    stream.once('error', (err) => {
      failure = err;
      wake?.();
    });
  };
  follow(stdout, 'stdout');
  follow(stderr, 'stderr');
  for (;;) {
    const chunk = queue.shift();
    if (chunk) {
      yield chunk;
      continue;
    }
    if (failure) throw failure;
    if (open <= 0) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
}

/** `docker top`: running containers only. */
export async function topOf(context: ContainerContext, entry: ContainerEntry, psArgs?: string): Promise<TopResult> {
  checkTop(refOf(entry), entry.record.state);
  const list = await context.host.runtime.top(entry.record.id, psArgs ? { psArgs: psArgs.split(/\s+/).filter(Boolean) } : {});
  return { titles: list.titles, processes: list.processes };
}

/** `docker stats`: a sample now, and with `stream` one per second until aborted or the container stops. */
export async function* statsOf(context: ContainerContext, entry: ContainerEntry, options: ContainerStatsOptions = {}): AsyncGenerator<ContainerStats> {
  const stream = options.stream ?? true;
  for (;;) {
    if (options.signal?.aborted) return;
    if (!live(entry)) {
      yield { read: new Date(), id: entry.record.id, name: entry.record.name, cpu: { totalUsageNs: 0, systemUsageNs: 0, onlineCpus: 0 }, memory: { usage: 0, limit: 0 }, pids: 0, networks: {} };
      return;
    }
    const sample = await context.host.runtime.stats(entry.record.id);
    yield {
      read: sample.read,
      id: entry.record.id,
      name: entry.record.name,
      cpu: { totalUsageNs: sample.cpu.totalNs, systemUsageNs: sample.cpu.systemUsageNs, onlineCpus: sample.cpu.onlineCpus },
      memory: { usage: sample.memory.usage, limit: sample.memory.limit },
      pids: sample.pids.current,
      networks: networkStatsOf(sample),
    };
    if (!stream) return;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 1000)), nextExit(entry), aborted(options.signal).catch(() => undefined)]);
  }
}
