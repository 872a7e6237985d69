import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { InternalError } from '@berth/errdefs';
import { type AppliedLayer, type ApplyLayerOptions, applyLayer } from '../apply.js';
import { type ApplyJob, type JobReply, type JobRequest, deserializeError } from './apply-worker-protocol.js';

/** An idle worker is ended after this long, so a finished pull leaves no threads behind. */
const idleTimeoutMs = 5_000;

/** How long a worker asked to exit has before it is terminated. */
const exitGraceMs = 1_000;


/**
 * Node flags a layer worker gets: the source condition (from source, workspace packages
 * resolve to their TypeScript), and `--cpu-prof*` so a profiled run profiles the workers too.
 */
function workerExecArgv(fromSource: boolean): string[] {
  const forwarded = process.execArgv.filter((arg) => arg === '--cpu-prof' || arg.startsWith('--cpu-prof-'));
  return fromSource ? ['--conditions=@berth/source', ...forwarded] : forwarded;
}

/**
 * Starts a layer worker. Built, the worker is `dist/layer/apply-worker.js` next to the
 * chunk holding this code; run from source (tests, scripts under tsx), the worker
 * registers tsx first, since a worker does not inherit the main thread's loader hooks.
 */
function spawnWorker(): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    const entry = new URL('./apply-worker.ts', self).href;
    const tsxApi = pathToFileURL(createRequire(self).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry)});`;
    return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { execArgv: workerExecArgv(true) });
  }
  return new Worker(new URL('./layer/apply-worker.js', self), { execArgv: workerExecArgv(false) });
}

interface PendingWorker {
  ready: Promise<Worker | undefined>;
  claimed: boolean;
}

/**
 * The layer workers of this process: started on demand (or ahead with {@link warm}),
 * reused across layers and pulls, ended when idle. When a worker cannot start (no worker
 * entry in this build, no tsx from source) the pool says so once and callers apply in
 * the main thread instead.
 */
class LayerWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly starting: PendingWorker[] = [];
  private readonly idleTimers = new Map<Worker, NodeJS.Timeout>();
  /** Workers running a job (or being started for one). */
  private busy = 0;
  unavailable = false;
  /** Workers started so far (for tests and diagnostics). */
  started = 0;

  /** Starts workers until `count` are idle or starting. */
  warm(count: number): void {
    while (!this.unavailable && this.idle.length + this.unclaimedStarting() < count) this.start();
  }

  /**
   * A ready worker for one job, or `undefined` when workers are unavailable. There is no
   * cap here: a job may wait (for deferred lower dirs) on a layer that has yet to get a
   * worker, so a cap could deadlock; callers bound their own concurrency.
   */
  async acquire(): Promise<Worker | undefined> {
    if (this.unavailable) return undefined;
    this.busy++;
    try {
      return await this.take();
    } catch (err) {
      this.busy--;
      throw err;
    }
  }

  get busyCount(): number {
    return this.busy;
  }

  private async take(): Promise<Worker | undefined> {
    const idle = this.idle.pop();
    if (idle) {
      clearTimeout(this.idleTimers.get(idle));
      this.idleTimers.delete(idle);
      idle.ref();
      return idle;
    }
    const pending = this.starting.find((p) => !p.claimed) ?? this.start();
    pending.claimed = true;
    const worker = await pending.ready;
    if (!worker) this.done();
    worker?.ref();
    return worker;
  }

  /** A job is over (its worker released or discarded). */
  private done(): void {
    this.busy--;
  }

  /** Hands back a worker that finished its job cleanly. */
  release(worker: Worker): void {
    this.done();
    this.park(worker);
  }

  /** Keeps a ready worker idle, ended after {@link idleTimeoutMs} unless a job takes it. */
  private park(worker: Worker): void {
    worker.unref();
    this.idle.push(worker);
    const timer = setTimeout(() => this.discard(worker), idleTimeoutMs);
    timer.unref();
    this.idleTimers.set(worker, timer);
  }

  /** Ends the worker of a job that broke it. */
  discardBusy(worker: Worker): void {
    this.done();
    this.discard(worker);
  }

  /** Ends a worker (broken, or idle for too long): asks it to exit, and terminates it if it does not. */
  discard(worker: Worker): void {
    const at = this.idle.indexOf(worker);
    if (at !== -1) this.idle.splice(at, 1);
    clearTimeout(this.idleTimers.get(worker));
    this.idleTimers.delete(worker);
    worker.postMessage('exit');
    setTimeout(() => void worker.terminate().catch(() => undefined), exitGraceMs).unref();
  }

  private unclaimedStarting(): number {
    return this.starting.filter((p) => !p.claimed).length;
  }

  private start(): PendingWorker {
    const pending: PendingWorker = { ready: Promise.resolve(undefined), claimed: false };
    pending.ready = new Promise<Worker | undefined>((resolve) => {
      let worker: Worker;
      try {
        worker = spawnWorker();
        this.started++;
      } catch {
        this.unavailable = true;
        resolve(undefined);
        return;
      }
      const failed = () => {
        this.unavailable = true;
        void worker.terminate().catch(() => undefined);
        resolve(undefined);
      };
      worker.once('error', failed);
      worker.once('exit', failed);
      worker.once('message', () => {
        worker.off('error', failed).off('exit', failed);
        // Later failures of an idle worker just remove it.
        worker.on('error', () => this.discard(worker));
        worker.once('exit', () => this.discard(worker));
        resolve(worker);
      });
    }).then((worker) => {
      this.starting.splice(this.starting.indexOf(pending), 1);
      if (worker && !pending.claimed) this.park(worker);
      return worker;
    });
    this.starting.push(pending);
    return pending;
  }
}

const pool = new LayerWorkerPool();

/** Starts layer workers ahead of a large unpack, so their start-up overlaps the downloads. */
export function warmLayerWorkers(count: number): void {
  pool.warm(count);
}

/** Whether layer workers could start, how many did, and how many run a job now (diagnostics, tests). */
export function layerWorkerStatus(): { started: number; busy: number; unavailable: boolean } {
  return { started: pool.started, busy: pool.busyCount, unavailable: pool.unavailable };
}

/** {@link applyLayer}'s options, with lower dirs that may come later (see `LayerWriterOptions.lowerDirs`). */
export interface OffThreadApplyOptions extends Omit<ApplyLayerOptions, 'lowerDirs'> {
  lowerDirs?: string[] | Promise<string[]>;
}

/**
 * {@link applyLayer} in a worker thread: gunzip (on that thread, not in the libuv pool
 * the main thread's file I/O needs), hashing, tar parsing and the synchronous file
 * system calls of the layer run there, so several layers apply in parallel and the main
 * thread keeps serving downloads. `source` (compressed or not, as `options.compression`
 * says) is read here and its chunks are handed over on request.
 * Same results and errors as `applyLayer`; after an abort or a failure the worker has
 * stopped writing when the promise settles. Falls back to the main thread when no worker
 * can start.
 */
export async function applyLayerOffThread(source: Readable, target: string, options: OffThreadApplyOptions = {}): Promise<AppliedLayer> {
  const { signal } = options;
  signal?.throwIfAborted();
  const worker = await pool.acquire();
  if (!worker) return applyLayer(source, target, options as ApplyLayerOptions);
  const { port1: port, port2 } = new MessageChannel();
  const deferred = options.lowerDirs instanceof Promise ? options.lowerDirs : undefined;
  const job: ApplyJob = {
    port: port2,
    target,
    compression: options.compression ?? 'auto',
    whiteouts: options.whiteouts ?? 'oci',
    lowerDirs: Array.isArray(options.lowerDirs) ? options.lowerDirs : undefined,
    deferLowerDirs: deferred !== undefined,
    ownership: options.ownership,
  };
  const post = (message: JobRequest, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  const chunks = source[Symbol.asyncIterator]();
  let sourceError: unknown;
  let feeding = Promise.resolve();
  const feed = async () => {
    try {
      const next = await chunks.next();
      if (next.done) return post({ type: 'end' });
      const bytes = next.value as Uint8Array;
      const copy = new Uint8Array(bytes); // our own buffer, transferred without a second copy
      post({ type: 'chunk', data: copy }, [copy.buffer as ArrayBuffer]);
    } catch (err) {
      sourceError = err;
      post({ type: 'source-error', message: err instanceof Error ? err.message : String(err) });
    }
  };
  const onAbort = () => post({ type: 'abort' });
  let healthy = true;
  try {
    return await new Promise<AppliedLayer>((resolve, reject) => {
      const onWorkerGone = (err?: unknown) => {
        if (!healthy) return;
        healthy = false;
        reject(new InternalError(`the layer worker thread stopped while applying a layer to ${target}`, { cause: err }));
      };
      worker.once('error', onWorkerGone).once('exit', onWorkerGone);
      port.on('message', (reply: JobReply) => {
        switch (reply.type) {
          case 'pull':
            feeding = feeding.then(feed);
            break;
          case 'done':
            resolve(reply.applied);
            break;
          case 'failed':
            if (sourceError !== undefined) reject(sourceError);
            else if (signal?.aborted && reply.error.name === 'AbortError') reject(abortError(signal));
            else reject(deserializeError(reply.error));
            break;
        }
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      deferred?.then(
        (dirs) => post({ type: 'lower-dirs', dirs }),
        () => post({ type: 'abort' }),
      );
      worker.postMessage(job, [port2]);
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    worker.removeAllListeners('error').removeAllListeners('exit');
    port.close();
    // Ends a read still waiting on the source (the worker failed first), then the iterator.
    source.destroy();
    await feeding;
    await chunks.return?.();
    if (healthy) {
      worker.on('error', () => pool.discard(worker));
      worker.once('exit', () => pool.discard(worker));
      pool.release(worker);
    } else {
      pool.discardBusy(worker);
    }
  }
}

/** The error an aborted in-thread `applyLayer` rejects with (Node's `AbortError`). */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}
