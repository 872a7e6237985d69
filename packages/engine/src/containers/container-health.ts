import { readUserDatabase, resolveUser } from '@berth/container';
import { emitContainerEvent, type ContainerContext } from './container-context.js';
import type { ContainerEntry } from './container-table.js';
import type { ContainerHealth } from './container-types.js';

const defaultIntervalMs = 30_000;
const defaultTimeoutMs = 30_000;
const defaultRetries = 3;
/** docker keeps the last five probe results. */
const keptResults = 5;
/** docker keeps at most 4 KiB of a probe's output. */
const maxOutput = 4096;

const ms = (ns: number | undefined, fallback: number) => (ns && ns > 0 ? ns / 1e6 : fallback);

/** The probe's command, or `undefined` when the container has no (or a `NONE`) healthcheck. */
export function probeCommand(entry: ContainerEntry): string[] | undefined {
  const test = entry.record.config.healthcheck?.test;
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  return ['/bin/sh', '-c', test.join(' ')];
}

/**
 * The healthcheck supervisor of one run: probes with an exec every interval (the first
 * after one interval), each with a timeout; a zero exit makes the container `healthy`, and
 * `retries` failures in a row (outside the start period) `unhealthy`. Changes of status are
 * persisted and reported as `health_status` events (attribute `healthStatus`); on turning
 * unhealthy, `onUnhealthy` runs (the container's `healthOnFailure` action). Stops when the
 * run ends ({@link stopHealthMonitor}).
 */
export function startHealthMonitor(
  context: ContainerContext,
  entry: ContainerEntry,
  onUnhealthy: (entry: ContainerEntry) => Promise<void> = async () => undefined,
): void {
  const command = probeCommand(entry);
  if (!command) return;
  stopHealthMonitor(entry);
  const check = entry.record.config.healthcheck!;
  const intervalMs = ms(check.intervalNs, defaultIntervalMs);
  const timeoutMs = ms(check.timeoutNs, defaultTimeoutMs);
  const retries = check.retries || defaultRetries;
  const startPeriodMs = ms(check.startPeriodNs, 0);
  const startedAt = Date.now();
  const controller = new AbortController();
  entry.healthMonitor = controller;
  entry.record.health = { status: 'starting', failingStreak: 0, log: [] };

  const schedule = () => {
    if (controller.signal.aborted) return;
    const timer = setTimeout(() => void probe().finally(schedule), intervalMs);
    controller.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  };

  const probe = async () => {
    if (controller.signal.aborted || entry.record.state.status !== 'running') return;
    const start = new Date();
    let exitCode: number;
    let output = '';
    try {
      const { config } = entry.record;
      const rootfs = entry.rootfs;
      const user = rootfs ? resolveUser(config.user, await readUserDatabase(rootfs), config.groupAdd ?? []) : { uid: 0, gid: 0 };
      const process = await context.host.runtime.exec(entry.record.id, {
        process: { args: command, env: config.env, cwd: config.workingDir || '/', user, terminal: false },
      });
      process.stdin?.end();
      const collect = (chunk: Buffer) => {
        if (output.length < maxOutput) output = (output + chunk.toString('utf8')).slice(0, maxOutput);
      };
      process.stdout.on('data', collect);
      process.stderr.on('data', collect);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const result = await Promise.race([process.wait(), timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') {
        await process.kill('SIGKILL').catch(() => undefined);
        exitCode = -1;
        output = `Health check exceeded timeout (${timeoutMs}ms)`;
      } else {
        exitCode = result.exitCode;
      }
    } catch (err) {
      exitCode = -1;
      output = (err as Error).message;
    }
    if (controller.signal.aborted) return;
    const became = record(context, entry, { start, end: new Date(), exitCode, output }, retries, Date.now() - startedAt < startPeriodMs);
    if (became === 'unhealthy') await onUnhealthy(entry).catch(() => undefined);
  };

  schedule();
}

function record(
  context: ContainerContext,
  entry: ContainerEntry,
  result: ContainerHealth['log'][number],
  retries: number,
  inStartPeriod: boolean,
): ContainerHealth['status'] | undefined {
  const health = entry.record.health ?? { status: 'starting', failingStreak: 0, log: [] };
  const previous = health.status;
  const log = [...health.log, result].slice(-keptResults);
  let next: ContainerHealth;
  if (result.exitCode === 0) {
    next = { status: 'healthy', failingStreak: 0, log };
  } else if (inStartPeriod && previous === 'starting') {
    // Failures during the start period do not count.
    next = { status: 'starting', failingStreak: 0, log };
  } else {
    const failingStreak = health.failingStreak + 1;
    next = { status: failingStreak >= retries ? 'unhealthy' : previous, failingStreak, log };
  }
  entry.record.health = next;
  void context.table.save(entry).catch(() => undefined);
  if (next.status === previous) return undefined;
  emitContainerEvent(context, entry, 'health_status', { healthStatus: next.status });
  return next.status;
}

/** Stops the run's healthchecks (the last status stays for inspect, as docker's). */
export function stopHealthMonitor(entry: ContainerEntry): void {
  entry.healthMonitor?.abort();
  entry.healthMonitor = undefined;
}
