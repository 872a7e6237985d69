import { readLogs } from '@berth/container';

/**
 * When a run ended, as recorded: the process's exit time, but later than the run's last log
 * line. Times are kept to the millisecond while log lines have nanoseconds, and a process
 * often exits within the millisecond of its last output: so that `logs --since <finishedAt>`
 * has none of the run (as with dockerd's nanosecond times), the end is pushed past that line.
 */
export async function runEnd(logPath: string, exitedAt: Date): Promise<Date> {
  let last: Date | undefined;
  try {
    for await (const entry of readLogs(logPath, { tail: 1 })) last = entry.time;
  } catch {
    // No log: the exit time stands.
  }
  return last && last.getTime() >= exitedAt.getTime() ? new Date(last.getTime() + 1) : exitedAt;
}

/**
 * Waits, before a new run starts, until the clock is past the previous run's end, so that
 * the new run's lines fall after it (a restart can come within the same millisecond).
 */
export async function afterPreviousRun(finishedAt: Date | undefined): Promise<void> {
  if (!finishedAt) return;
  while (Date.now() <= finishedAt.getTime()) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
