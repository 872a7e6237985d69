import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExitStatus } from '../runtime/oci-runtime.js';

/** How often exit files are looked for when no file event arrives. */
const pollMs = 100;

interface Waiter {
  resolve: (status: ExitStatus) => void;
  reject: (err: unknown) => void;
}

/**
 * Exit statuses as conmon records them: `<exitDir>/<id>` holds the exit code (128 + n
 * for a signal) once the container's process has exited; its mtime is the exit time;
 * `<persistRoot>/<id>/oom` exists if the OOM killer struck. Waiters are woken by file
 * events on the exit directory, with polling as a fallback. Works for containers created
 * by an earlier engine process: the files are the only state.
 */
export class ExitWatcher {
  private readonly waiters = new Map<string, Waiter[]>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  /** A file event (or a new waiter) arrived while a check ran: check again once it is done. */
  private checkAgain = false;

  constructor(
    private readonly exitDir: string,
    private readonly persistRoot: string,
  ) {}

  /** The exit file of container `id`. */
  exitFile(id: string): string {
    return join(this.exitDir, id);
  }

  /** The exit status of container `id`, or `undefined` if it has not exited (as far as conmon knows). */
  async read(id: string): Promise<ExitStatus | undefined> {
    let text: string;
    let exitedAt: Date;
    try {
      [text, exitedAt] = await Promise.all([readFile(this.exitFile(id), 'utf8'), stat(this.exitFile(id)).then((s) => s.mtime)]);
    } catch {
      return undefined;
    }
    // conmon may have created the file without writing it yet.
    if (!/^-?\d+\s*$/.test(text)) return undefined;
    const oomKilled = await stat(join(this.persistRoot, id, 'oom')).then(
      () => true,
      () => false,
    );
    return { exitCode: Number(text.trim()), exitedAt, oomKilled };
  }

  /** Resolves with the exit status of container `id` once it has exited. */
  wait(id: string, signal?: AbortSignal): Promise<ExitStatus> {
    signal?.throwIfAborted();
    return new Promise<ExitStatus>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      const list = this.waiters.get(id) ?? [];
      list.push(waiter);
      this.waiters.set(id, list);
      const remove = () => {
        const current = this.waiters.get(id)?.filter((w) => w !== waiter) ?? [];
        if (current.length > 0) this.waiters.set(id, current);
        else this.waiters.delete(id);
        this.stopIfIdle();
      };
      if (signal) {
        const onAbort = () => {
          remove();
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.resolve = (status) => {
          signal.removeEventListener('abort', onAbort);
          resolve(status);
        };
      }
      this.ensureWatching();
      void this.check();
    });
  }

  /** Fails every waiter of `id` (its container was deleted before exiting). */
  abandon(id: string, error: unknown): void {
    const list = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    for (const waiter of list) waiter.reject(error);
    this.stopIfIdle();
  }

  /** Stops watching; pending waiters stay pending. */
  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private ensureWatching(): void {
    if (!this.watcher) {
      try {
        this.watcher = watch(this.exitDir, { persistent: false }, () => void this.check());
        this.watcher.on('error', () => undefined);
      } catch {
        this.watcher = undefined;
      }
    }
    this.timer ??= setInterval(() => void this.check(), pollMs);
  }

  private stopIfIdle(): void {
    if (this.waiters.size === 0) this.close();
  }

  private async check(): Promise<void> {
    // An event during a check may be for a file the check has already looked at (conmon
    // writes a temporary file, then renames it): it must not wait for the next poll.
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.checkAgain = false;
        for (const id of [...this.waiters.keys()]) {
          const status = await this.read(id);
          if (!status) continue;
          const list = this.waiters.get(id) ?? [];
          this.waiters.delete(id);
          for (const waiter of list) waiter.resolve({ ...status });
        }
      } while (this.checkAgain && this.waiters.size > 0);
    } finally {
      this.checking = false;
      this.stopIfIdle();
    }
  }
}
