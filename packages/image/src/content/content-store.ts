import type { Readable } from 'node:stream';
import type { Digest } from '@berth/spec';
import type { OpenOptions } from '../image.js';

/** What the store knows of one committed blob. */
export interface BlobInfo {
  digest: Digest;
  /** Size in bytes. */
  size: number;
  /** When the blob was committed. */
  createdAt: Date;
}

/** What the writer is told about the blob it will receive; both are verified at commit. */
export interface ExpectedBlob {
  digest: Digest;
  /** When known, a blob of another size is refused at commit — and as soon as it is exceeded. */
  size?: number;
}

/** A pending, not yet visible ingest, as listed for resumption or cleanup. */
export interface IngestStatus {
  /** The caller-chosen key of the ingest (e.g. `pull-<digest>`). */
  ref: string;
  expected: ExpectedBlob;
  /** Bytes written so far. */
  offset: number;
  /** Last write. */
  updatedAt: Date;
}

/**
 * Writes one blob. Bytes go to a private temporary place; nothing is visible under the
 * digest until {@link IngestWriter.commit} has verified size and digest and atomically
 * published it. A writer opened on a `ref` with a partial ingest resumes at `offset`
 * (the hash state is rebuilt from the bytes already written).
 */
export interface IngestWriter {
  readonly ref: string;
  /** Bytes held so far, including resumed ones: where the next write lands. */
  readonly offset: number;
  /**
   * Appends bytes. Resolves when the store has taken them (written, or copied into a
   * write buffer; not necessarily synced) — the caller may reuse `chunk` afterwards.
   * A write past the expected size throws `InvalidArgument` and discards the partial data.
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Verifies and publishes the blob. On a size or digest mismatch throws `InvalidArgument`
   * and discards the partial data. If the blob already exists, resolves with its info.
   */
  commit(): Promise<BlobInfo>;
  /** Releases the writer, keeping the partial data for a later resume. */
  close(): Promise<void>;
  /** Releases the writer and discards the partial data. */
  abort(): Promise<void>;
}

/** Reads committed blobs. */
export interface ContentProvider {
  /** Info of a committed blob; `NotFound` if absent. */
  info(digest: Digest): Promise<BlobInfo>;
  /** Whether a committed blob exists. */
  has(digest: Digest): Promise<boolean>;
  /** A stream of the blob from `offset` (default 0); `NotFound` if absent. */
  read(digest: Digest, options?: OpenOptions & { offset?: number }): Promise<Readable>;
  /** The whole blob in memory, refused with `InvalidArgument` above `maxSize` (default 4 MiB). For documents. */
  readBytes(digest: Digest, options?: OpenOptions & { maxSize?: number }): Promise<Uint8Array>;
}

/** Writes blobs. */
export interface ContentIngester {
  /**
   * Opens (or resumes) the ingest named `ref`. While one writer holds a ref, a second
   * `writer()` on it waits until the first is released (or `signal` aborts). A ref names
   * one blob: resuming it with another digest or size is `FailedPrecondition`.
   */
  writer(ref: string, expected: ExpectedBlob, options?: OpenOptions): Promise<IngestWriter>;
  /**
   * Convenience: writes `source` whole through a writer and commits it. Safe to call
   * concurrently for the same digest; an existing blob short-circuits. With a `ref`
   * naming a partial ingest, the first `offset` bytes of `source` are skipped (resume),
   * and on failure the partial is kept; without one, a failed ingest leaves nothing.
   */
  ingest(expected: ExpectedBlob, source: AsyncIterable<Uint8Array>, options?: OpenOptions & { ref?: string }): Promise<BlobInfo>;
}

/** Lists and removes blobs and ingests. */
export interface ContentManager {
  /** Every committed blob. */
  list(): AsyncIterable<BlobInfo>;
  /** Removes a committed blob; `NotFound` if absent. */
  delete(digest: Digest): Promise<void>;
  /** Pending ingests (partial data that is not visible). */
  ingests(): Promise<IngestStatus[]>;
  /**
   * Discards a pending ingest; `NotFound` if there is none under `ref`,
   * `FailedPrecondition` while a writer holds it (abort the writer instead).
   */
  abortIngest(ref: string): Promise<void>;
}

/**
 * A content-addressed blob store (containerd's content store): the composition of the
 * small roles above — a function should ask for the narrowest role it needs.
 */
export interface ContentStore extends ContentProvider, ContentIngester, ContentManager {}
