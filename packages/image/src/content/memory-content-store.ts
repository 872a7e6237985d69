import { Readable } from 'node:stream';
import { FailedPreconditionError, NotFoundError } from '@berth/errdefs';
import { parseDigest, type Digest } from '@berth/spec';
import { withSignal } from '../layer/decompress.js';
import { BlobVerifier, checkExpected, checkRef, mergeExpected } from './blob-verifier.js';
import type { BlobInfo, ContentStore, ExpectedBlob, IngestStatus, IngestWriter } from './content-store.js';
import { ingestFromSource } from './ingest-from-source.js';
import { KeyedMutex, type Release } from './keyed-mutex.js';
import { checkOffset, checkReadSize } from './read-limits.js';

const readChunkSize = 64 * 1024;

interface StoredBlob {
  bytes: Uint8Array;
  createdAt: Date;
}

interface PendingIngest {
  expected: ExpectedBlob;
  chunks: Uint8Array[];
  updatedAt: Date;
}

/**
 * A content store held in memory, with the semantics of the filesystem one: verified
 * atomic commits, resumable ingests, one writer per ref, the same errors. For tests and
 * the in-memory engine; everything is lost with the object.
 */
export function createMemoryContentStore(): ContentStore {
  const blobs = new Map<Digest, StoredBlob>();
  const pending = new Map<string, PendingIngest>();
  const locks = new KeyedMutex();

  const lookup = (digest: Digest): StoredBlob => {
    const blob = blobs.get(parseDigest(digest));
    if (!blob) throw new NotFoundError(`No such blob: ${digest}`);
    return blob;
  };
  const infoOf = (digest: Digest, blob: StoredBlob): BlobInfo => ({
    digest,
    size: blob.bytes.length,
    createdAt: new Date(blob.createdAt),
  });

  const store: ContentStore = {
    async info(digest) {
      return infoOf(digest, lookup(digest));
    },
    async has(digest) {
      return blobs.has(parseDigest(digest));
    },
    async read(digest, options = {}) {
      const { bytes } = lookup(digest);
      const offset = checkOffset(digest, options.offset, bytes.length);
      return withSignal(Readable.from(slices(bytes.subarray(offset)), { objectMode: false }), options.signal);
    },
    async readBytes(digest, options = {}) {
      options.signal?.throwIfAborted();
      const { bytes } = lookup(digest);
      checkReadSize(digest, bytes.length, options.maxSize);
      return Uint8Array.prototype.slice.call(bytes);
    },

    async writer(ref, expected, options = {}) {
      checkRef(ref);
      expected = checkExpected(expected);
      const release = await locks.acquire(ref, options.signal);
      try {
        let ingest = pending.get(ref);
        if (ingest) {
          ingest.expected = mergeExpected(ref, ingest.expected, expected);
        } else {
          ingest = { expected, chunks: [], updatedAt: new Date() };
          pending.set(ref, ingest);
        }
        return new MemoryIngestWriter(ref, ingest, release, {
          publish: (digest, bytes) => {
            const existing = blobs.get(digest);
            if (existing) return infoOf(digest, existing);
            const blob = { bytes, createdAt: new Date() };
            blobs.set(digest, blob);
            return infoOf(digest, blob);
          },
          discard: () => pending.delete(ref),
        }, options.signal);
      } catch (err) {
        release();
        throw err;
      }
    },
    ingest(expected, source, options) {
      return ingestFromSource(store, expected, source, options);
    },

    async *list() {
      for (const [digest, blob] of [...blobs]) yield infoOf(digest, blob);
    },
    async delete(digest) {
      lookup(digest);
      blobs.delete(digest);
    },
    async ingests() {
      return [...pending].map(([ref, ingest]): IngestStatus => ({
        ref,
        expected: { ...ingest.expected },
        offset: ingest.chunks.reduce((sum, chunk) => sum + chunk.length, 0),
        updatedAt: new Date(ingest.updatedAt),
      }));
    },
    async abortIngest(ref) {
      if (!pending.has(ref)) throw new NotFoundError(`No such ingest: ${ref}`);
      const release = locks.tryAcquire(ref);
      if (!release) throw new FailedPreconditionError(`ingest "${ref}" is being written; abort its writer instead`);
      pending.delete(ref);
      release();
    },
  };
  return store;
}

interface MemoryIngestTarget {
  /** Makes the verified bytes visible (or returns the blob that already is). */
  publish(digest: Digest, bytes: Uint8Array): BlobInfo;
  /** Forgets the partial data. */
  discard(): void;
}

/** A writer over one pending in-memory ingest; holds the ref's lock until released. */
class MemoryIngestWriter implements IngestWriter {
  readonly #ingest: PendingIngest;
  readonly #verifier: BlobVerifier;
  #release: Release | undefined;

  constructor(
    readonly ref: string,
    ingest: PendingIngest,
    release: Release,
    private readonly target: MemoryIngestTarget,
    private readonly signal?: AbortSignal,
  ) {
    this.#ingest = ingest;
    this.#release = release;
    this.#verifier = new BlobVerifier(ingest.expected);
    for (const chunk of ingest.chunks) this.#verifier.update(chunk);
  }

  get offset(): number {
    return this.#verifier.size;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#assertOpen();
    this.signal?.throwIfAborted();
    if (this.#verifier.wouldExceed(chunk.length)) {
      const error = this.#verifier.exceededError(chunk.length);
      this.#finish(true);
      throw error;
    }
    // Copy: the caller may reuse its buffer once the write resolves.
    const copy = Uint8Array.prototype.slice.call(chunk);
    this.#verifier.update(copy);
    this.#ingest.chunks.push(copy);
    this.#ingest.updatedAt = new Date();
  }

  async commit(): Promise<BlobInfo> {
    this.#assertOpen();
    let digest: Digest;
    try {
      digest = this.#verifier.verify();
    } catch (err) {
      this.#finish(true);
      throw err;
    }
    const info = this.target.publish(digest, concat(this.#ingest.chunks, this.#verifier.size));
    this.#finish(true);
    return info;
  }

  async close(): Promise<void> {
    this.#finish(false);
  }

  async abort(): Promise<void> {
    this.#finish(true);
  }

  #assertOpen(): void {
    if (!this.#release) throw new FailedPreconditionError(`writer of ingest "${this.ref}" is released`);
  }

  #finish(discard: boolean): void {
    const release = this.#release;
    if (!release) return;
    this.#release = undefined;
    if (discard) this.target.discard();
    release();
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

function* slices(bytes: Uint8Array): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += readChunkSize) {
    // A copy: readers must not be able to change the stored blob.
    yield Buffer.from(bytes.subarray(at, at + readChunkSize));
  }
}
