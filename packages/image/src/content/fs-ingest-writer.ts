import { open, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncDirectory } from '@berth/atomic-file';
import { FailedPreconditionError } from '@berth/errdefs';
import type { Digest } from '@berth/spec';
import { BlobVerifier, mergeExpected } from './blob-verifier.js';
import type { BlobInfo, ExpectedBlob, IngestWriter } from './content-store.js';
import { FileAppender } from './file-appender.js';
import { fsFailure, systemErrorCode } from './fs-errors.js';
import type { IngestLock } from './fs-ingest-lock.js';
import {
  ingestFile,
  readIngestMetadata,
  removeIngestFiles,
  writeExpected,
  writeIngestMetadata,
  writeUpdatedAt,
  type FsLayout,
} from './fs-layout.js';

const rehashBufferSize = 1024 * 1024;

/** Committed blobs cannot be changed in place by accident. */
const blobMode = 0o444;

/**
 * A writer of one ingest directory of the filesystem content store; holds its lock from
 * {@link FsIngestWriter.open} until commit, close or abort.
 *
 * Bytes are hashed as they come and appended to `data` through a {@link FileAppender}.
 * Commit verifies size and digest, fsyncs `data`, renames it to `blobs/<alg>/<hex>`
 * (one atomic step: the blob is either absent or whole) and fsyncs that directory.
 */
export class FsIngestWriter implements IngestWriter {
  #lock: IngestLock | undefined;
  #writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly ref: string,
    private readonly layout: FsLayout,
    private readonly dir: string,
    private readonly file: FileHandle,
    private readonly verifier: BlobVerifier,
    private readonly appender: FileAppender,
    lock: IngestLock,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.#lock = lock;
  }

  /**
   * Starts or resumes the ingest in `dir`, whose lock the caller holds and hands over
   * (it is released here on failure). A resumed ingest re-reads its data to rebuild the
   * hash state; one that holds more than the expected size is useless and restarts.
   */
  static async open(
    layout: FsLayout,
    dir: string,
    ref: string,
    expected: ExpectedBlob,
    lock: IngestLock,
    signal?: AbortSignal,
  ): Promise<FsIngestWriter> {
    let file: FileHandle | undefined;
    try {
      const dataPath = join(dir, ingestFile.data);
      const stored = await readIngestMetadata(dir);
      file = stored ? await open(dataPath, 'r+').catch(ignoreMissing) : undefined;
      let verifier: BlobVerifier;
      if (stored && file) {
        const merged = mergeExpected(ref, stored.expected, expected);
        if (merged.size !== stored.expected.size) await writeExpected(dir, merged);
        verifier = new BlobVerifier(merged);
        const { size } = await file.stat();
        if (verifier.wouldExceed(size)) await file.truncate(0);
        else await rehash(file, size, verifier, signal);
      } else {
        await file?.close();
        await removeIngestFiles(dir); // an incomplete start: nothing worth keeping
        await writeIngestMetadata(dir, { ref, expected });
        file = await open(dataPath, 'w');
        verifier = new BlobVerifier(expected);
      }
      const appender = new FileAppender(file, verifier.size);
      return new FsIngestWriter(ref, layout, dir, file, verifier, appender, lock, signal);
    } catch (err) {
      await file?.close().catch(() => undefined);
      await lock.release();
      throw fsFailure(`cannot open ingest "${ref}"`, err);
    }
  }

  get offset(): number {
    return this.verifier.size;
  }

  write(chunk: Uint8Array): Promise<void> {
    // Chained, so that un-awaited writes still land in call order.
    const written = this.#writes.then(() => this.#write(chunk));
    this.#writes = written.catch(() => undefined);
    return written;
  }

  async #write(chunk: Uint8Array): Promise<void> {
    this.#assertOpen();
    this.signal?.throwIfAborted();
    if (this.verifier.wouldExceed(chunk.length)) {
      const error = this.verifier.exceededError(chunk.length);
      await this.#release(true);
      throw error;
    }
    this.verifier.update(chunk);
    try {
      await this.appender.append(chunk);
    } catch (err) {
      throw fsFailure(`cannot write ingest "${this.ref}"`, err);
    }
  }

  async commit(): Promise<BlobInfo> {
    await this.#writes;
    this.#assertOpen();
    try {
      await this.appender.flush();
    } catch (err) {
      await this.#release(false);
      throw fsFailure(`cannot write ingest "${this.ref}"`, err);
    }
    let digest: Digest;
    try {
      digest = this.verifier.verify();
    } catch (err) {
      await this.#release(true);
      throw err;
    }
    const target = this.layout.blobPath(digest);
    try {
      const existing = await stat(target).catch(ignoreMissing);
      if (existing) {
        await this.#release(true);
        return { digest, size: existing.size, createdAt: existing.mtime };
      }
      const now = new Date();
      await this.file.utimes(now, now); // the blob's creation time is its commit
      await this.file.chmod(blobMode);
      await this.file.sync();
      await this.file.close();
      await rename(join(this.dir, ingestFile.data), target);
      await syncDirectory(dirname(target));
      await this.#release(true, { fileClosed: true });
      return { digest, size: this.verifier.size, createdAt: now };
    } catch (err) {
      await this.#release(false);
      throw fsFailure(`cannot commit blob ${digest} of ingest "${this.ref}"`, err);
    }
  }

  async close(): Promise<void> {
    await this.#writes;
    if (!this.#lock) return;
    try {
      await this.appender.flush();
      await writeUpdatedAt(this.dir, new Date());
    } catch (err) {
      throw fsFailure(`cannot close ingest "${this.ref}"`, err);
    } finally {
      await this.#release(false);
    }
  }

  async abort(): Promise<void> {
    await this.#writes;
    await this.#release(true);
  }

  #assertOpen(): void {
    if (!this.#lock) throw new FailedPreconditionError(`writer of ingest "${this.ref}" is released`);
  }

  /** Lets go of the file and the lock, discarding the partial data or keeping it for a resume. */
  async #release(discard: boolean, { fileClosed = false } = {}): Promise<void> {
    const lock = this.#lock;
    if (!lock) return;
    this.#lock = undefined;
    try {
      if (!fileClosed) await this.file.close().catch(() => undefined);
      if (discard) await removeIngestFiles(this.dir);
    } finally {
      await lock.release({ removeDir: discard });
    }
  }
}

/** Feeds the bytes already in `file` to `verifier`, so a resumed ingest hashes as if never interrupted. */
async function rehash(file: FileHandle, size: number, verifier: BlobVerifier, signal?: AbortSignal): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(rehashBufferSize, Math.max(size, 1)));
  while (verifier.size < size) {
    signal?.throwIfAborted();
    const want = Math.min(buffer.length, size - verifier.size);
    const { bytesRead } = await file.read(buffer, 0, want, verifier.size);
    if (bytesRead === 0) break;
    verifier.update(buffer.subarray(0, bytesRead));
  }
}

function ignoreMissing(err: unknown): undefined {
  if (systemErrorCode(err) === 'ENOENT') return undefined;
  throw err;
}
