import type { ContentStore } from '@berth/image';
import { isBerthError } from '@berth/errdefs';
import type { Descriptor } from '@berth/spec';
import { isAbort } from '../client/endpoint.js';
import type { RemoteRepositoryImpl } from '../client/remote-repository.js';
import { RegistryError } from '../errors/registry-error.js';
import { type RetryPolicy, backoffDelay, sleep } from '../http/retry.js';

/** What {@link downloadBlob} reports while it works. */
export interface DownloadObserver {
  /** Bytes held so far (including those of a resumed ingest). */
  onBytes(bytes: number): void;
  onVerifying(): void;
  onRetry(attempt: number, reason: string, offset: number): void;
}

/** The ingest ref of a pulled blob: one per digest, so concurrent pulls of it queue on one writer. */
export function pullIngestRef(descriptor: Descriptor): string {
  return `pull-${descriptor.digest}`;
}

/**
 * Streams a blob from the registry into the content store, verified at commit. The
 * writer resumes a partial ingest at its `offset` with a `Range` request; a transfer cut
 * mid-way (network error, 5xx, a body ending early) is retried from where it stopped, with
 * backoff, up to `policy.attempts` times without progress. A registry that ignores `Range`
 * resends from 0 and the held bytes are skipped. On failure the partial data is kept for
 * a later pull — except after a digest mismatch, which discards it.
 * Resolves `false` when the blob was already in the store.
 */
export async function downloadBlob(
  repository: RemoteRepositoryImpl,
  descriptor: Descriptor,
  content: ContentStore,
  policy: RetryPolicy,
  observer: DownloadObserver,
  signal: AbortSignal,
): Promise<boolean> {
  const writer = await content.writer(pullIngestRef(descriptor), { digest: descriptor.digest, size: descriptor.size }, { signal });
  let released = false;
  try {
    if (await content.has(descriptor.digest)) {
      await writer.abort();
      released = true;
      return false;
    }
    let failures = 0;
    while (writer.offset < descriptor.size) {
      const before = writer.offset;
      observer.onBytes(before);
      try {
        const opened = await repository.openBlob(descriptor.digest, writer.offset, signal);
        let skip = writer.offset - opened.start;
        try {
          for await (const data of opened.body) {
            let chunk = data as Buffer;
            if (skip > 0) {
              const dropped = Math.min(skip, chunk.byteLength);
              skip -= dropped;
              chunk = chunk.subarray(dropped);
              if (chunk.byteLength === 0) continue;
            }
            await writer.write(chunk);
            observer.onBytes(writer.offset);
          }
        } finally {
          opened.body.destroy();
        }
        if (writer.offset < descriptor.size) {
          throw new RegistryError({
            registry: repository.registry,
            repository: repository.name,
            reference: descriptor.digest,
            operation: 'fetching blob',
            description: `the body ended after ${writer.offset} of ${descriptor.size} bytes`,
            temporary: true,
          });
        }
      } catch (err) {
        if (isAbort(err, signal) || signal.aborted) throw err;
        if (!isTransient(err)) throw err;
        // Progress resets the count: a large blob over a flaky link may need many resumes.
        failures = writer.offset > before ? 1 : failures + 1;
        if (failures >= policy.attempts) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        observer.onRetry(failures, reason, writer.offset);
        await sleep(backoffDelay(policy, failures, err instanceof RegistryError ? err.retryAfterMs : undefined), signal);
      }
    }
    observer.onVerifying();
    released = true;
    await writer.commit();
    return true;
  } finally {
    // commit() releases the writer (and on a mismatch discards the data); otherwise keep the partial ingest for a resume.
    if (!released) await writer.close().catch(() => undefined);
  }
}

/** Whether a failed transfer may succeed when retried: network errors and temporary registry errors. */
function isTransient(err: unknown): boolean {
  if (err instanceof RegistryError) return err.temporary;
  if (isBerthError(err)) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof RegistryError && cause.temporary;
  }
  // Errors from the socket while streaming the body: premature close, reset, timeout.
  return err instanceof Error;
}
