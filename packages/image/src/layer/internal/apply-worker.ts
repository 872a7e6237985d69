/**
 * The worker-thread side of {@link applyLayerOffThread}: loads the layer writer once, says
 * `ready`, then runs one `applyLayer` at a time for the jobs the main thread posts. Each
 * job comes with its own message port: the worker pulls the layer's compressed bytes
 * through it (one chunk per request, so the main thread never buffers ahead of the
 * disk), and answers on it with the result or the error.
 */
import { Readable } from 'node:stream';
import { type MessagePort, parentPort } from 'node:worker_threads';
import { InvalidArgumentError } from '@berth/errdefs';
import type { LayerCompression } from '@berth/spec';
import { applyLayer } from '../apply.js';
import { sniffCompression } from '../decompress.js';
import { SyncGunzip } from './sync-gunzip.js';
import type { ApplyJob, JobReply, JobRequest } from './apply-worker-protocol.js';
import { serializeError } from './apply-worker-protocol.js';

/** Compressed input is inflated in slices of this size, so one push stays bounded. */
const inflateSliceSize = 64 << 10;

/**
 * The layer's bytes as the worker reads them: chunks pulled from the main thread on
 * demand, gunzipped here synchronously ({@link SyncGunzip}) when they are gzip, else
 * passed on as they are for `applyLayer` to decompress.
 */
class PulledSource extends Readable {
  private readonly pending: Buffer[] = [];
  private inflater: SyncGunzip | undefined;
  private sniffed = false;
  private ended = false;
  private awaiting = false;
  /** What `applyLayer` must still decompress: `none` once this inflates itself. */
  compression: LayerCompression | 'auto';

  constructor(
    private readonly port: MessagePort,
    compression: LayerCompression | 'auto',
  ) {
    super({ highWaterMark: 4 << 20 });
    this.compression = compression;
  }

  /** Decides, before the first byte reaches `applyLayer`, whether this inflates. */
  async ready(): Promise<void> {
    if (this.compression !== 'gzip' && this.compression !== 'auto') {
      this.sniffed = true;
      return;
    }
    const first = await new Promise<Buffer | undefined>((resolve) => {
      this.onFirst = resolve;
      this.request();
    });
    this.onFirst = undefined;
    this.sniffed = true;
    if (this.destroyed) return;
    if (first !== undefined && (this.compression === 'gzip' || (first.length >= 4 && sniffCompression(first) === 'gzip'))) {
      this.inflater = SyncGunzip.create();
      if (this.inflater) this.compression = 'none';
    }
    if (first !== undefined) this.accept(first);
  }

  private onFirst: ((chunk: Buffer | undefined) => void) | undefined;

  /** A chunk from the main thread. */
  chunk(data: Buffer): void {
    this.awaiting = false;
    if (!this.sniffed && this.onFirst) return this.onFirst(data);
    this.accept(data);
    this.pump();
  }

  /** The main thread's source ended. */
  end(): void {
    this.awaiting = false;
    this.ended = true;
    if (!this.sniffed && this.onFirst) return this.onFirst(undefined);
    this.pump();
  }

  override _read(): void {
    this.pump();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.inflater?.close();
    this.inflater = undefined;
    // Destroyed before the first chunk (a failed source, an abort): `ready` must still settle.
    this.onFirst?.(undefined);
    callback(err);
  }

  private accept(data: Buffer): void {
    if (!this.inflater) {
      this.pending.push(data);
      return;
    }
    for (let at = 0; at < data.length; at += inflateSliceSize) this.pending.push(data.subarray(at, at + inflateSliceSize));
  }

  private request(): void {
    if (this.awaiting) return;
    this.awaiting = true;
    this.port.postMessage({ type: 'pull' } satisfies JobReply);
  }

  /** Pushes what is pending until the consumer has enough, then asks for more. */
  private pump(): void {
    if (this.destroyed || !this.sniffed) return;
    try {
      while (this.pending.length > 0) {
        const input = this.pending.shift()!;
        const output = this.inflater ? this.inflater.write(input) : [input];
        let wantsMore = true;
        for (const piece of output) wantsMore = this.push(piece);
        if (!wantsMore) return;
      }
      if (this.ended) {
        for (const piece of this.inflater?.finish() ?? []) this.push(piece);
        this.push(null);
        return;
      }
    } catch (err) {
      this.destroy(new InvalidArgumentError(`corrupt gzip layer stream: ${(err as Error).message}`, { cause: err }));
      return;
    }
    this.request();
  }
}

function runJob(job: ApplyJob): void {
  const port: MessagePort = job.port;
  const abort = new AbortController();
  let deliverLowerDirs: ((dirs: string[]) => void) | undefined;
  const lowerDirs = job.deferLowerDirs ? new Promise<string[]>((resolve) => (deliverLowerDirs = resolve)) : job.lowerDirs;
  const source = new PulledSource(port, job.compression);
  port.on('message', (message: JobRequest) => {
    switch (message.type) {
      case 'chunk':
        source.chunk(Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength));
        break;
      case 'end':
        source.end();
        break;
      case 'source-error':
        source.destroy(Object.assign(new Error(message.message), { name: 'SourceError' }));
        break;
      case 'lower-dirs':
        deliverLowerDirs?.(message.dirs);
        break;
      case 'abort':
        abort.abort(Object.assign(new Error('the layer apply was aborted'), { name: 'AbortError' }));
        source.destroy(Object.assign(new Error('the layer apply was aborted'), { name: 'AbortError' }));
        // A writer waiting for deferred lower dirs must not wait forever.
        deliverLowerDirs?.([]);
        break;
    }
  });
  source
    .ready()
    .then(() =>
      applyLayer(source, job.target, {
        compression: source.compression,
        whiteouts: job.whiteouts,
        ...(lowerDirs !== undefined ? { lowerDirs } : {}),
        ...(job.ownership !== undefined ? { ownership: job.ownership } : {}),
        signal: abort.signal,
      }),
    )
    .then(
      (applied) => port.postMessage({ type: 'done', applied } satisfies JobReply),
      (err: unknown) => port.postMessage({ type: 'failed', error: serializeError(err) } satisfies JobReply),
    )
    .finally(() => {
      source.destroy();
      port.close();
    });
}

parentPort!.on('message', (message: ApplyJob | 'exit') => {
  // An idle worker asked to go ends cleanly (flushing a --cpu-prof profile, unlike terminate()).
  if (message === 'exit') process.exit(0);
  else runJob(message);
});
parentPort!.postMessage('ready');
