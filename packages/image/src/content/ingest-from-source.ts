import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { OpenOptions } from '../image.js';
import type { BlobInfo, ContentIngester, ContentProvider, ExpectedBlob, IngestWriter } from './content-store.js';
import { checkExpected } from './blob-verifier.js';

type Store = Pick<ContentIngester, 'writer'> & Pick<ContentProvider, 'info' | 'has'>;

/**
 * The body of every store's `ingest()`: writes `source` through a writer and commits.
 *
 * - An existing blob short-circuits, before and after waiting for the ref's lock — so
 *   concurrent ingests of one digest under one ref write it once.
 * - When `ref` names a partial ingest, the first `offset` bytes of `source` are skipped
 *   (the final digest check still covers them): a retried pull resumes.
 * - On failure a caller-named ingest is kept for a later resume; an anonymous one
 *   (no `ref` given) is discarded, so nothing leaks.
 */
export async function ingestFromSource(
  store: Store,
  expected: ExpectedBlob,
  source: AsyncIterable<Uint8Array>,
  options: OpenOptions & { ref?: string } = {},
): Promise<BlobInfo> {
  const { signal } = options;
  expected = checkExpected(expected);
  signal?.throwIfAborted();
  if (await store.has(expected.digest)) {
    destroySource(source);
    return store.info(expected.digest);
  }
  const keep = options.ref !== undefined;
  const ref = options.ref ?? `ingest-${randomBytes(12).toString('hex')}`;
  const writer = await store.writer(ref, expected, signal ? { signal } : {});
  try {
    if (await store.has(expected.digest)) {
      await writer.abort();
      destroySource(source);
      return await store.info(expected.digest);
    }
    await copyInto(writer, source, signal);
    return await writer.commit();
  } catch (err) {
    // After a failed commit the writer is already released; these are then no-ops.
    await (keep ? writer.close() : writer.abort()).catch(() => undefined);
    throw err;
  }
}

async function copyInto(writer: IngestWriter, source: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
  let skip = writer.offset;
  const iterator = source[Symbol.asyncIterator]();
  const aborted = signal ? abortion(signal) : undefined;
  let finished = false;
  try {
    for (;;) {
      const step = aborted ? await Promise.race([iterator.next(), aborted.promise]) : await iterator.next();
      if (step.done) break;
      let chunk = step.value;
      if (skip > 0) {
        const dropped = Math.min(skip, chunk.length);
        skip -= dropped;
        chunk = chunk.subarray(dropped);
        if (chunk.length === 0) continue;
      }
      await writer.write(chunk);
    }
    finished = true;
  } finally {
    aborted?.dispose();
    if (!finished) {
      destroySource(source);
      // A pending next() keeps a generator busy; return() runs after it, so do not wait.
      void iterator.return?.()?.catch(() => undefined);
    }
  }
}

/** A promise that rejects when `signal` aborts — raced against a source that may stall. */
function abortion(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Node streams do not stop on `return()` while a read is pending, and an unread one
 * (e.g. an HTTP response) would hold its socket: destroy them outright — without an
 * error, which nobody might be listening for.
 */
function destroySource(source: AsyncIterable<Uint8Array>): void {
  if (source instanceof Readable && !source.destroyed) source.destroy();
}
