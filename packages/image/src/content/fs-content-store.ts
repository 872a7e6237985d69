import type { Stats } from 'node:fs';
import { mkdir, open, opendir, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { FailedPreconditionError, NotFoundError, isNotFound } from '@berth/errdefs';
import { parseDigest, type Digest } from '@berth/spec';
import { withSignal } from '../layer/decompress.js';
import { checkExpected, checkRef } from './blob-verifier.js';
import type { BlobInfo, ContentStore, IngestStatus } from './content-store.js';
import { fsFailure, systemErrorCode } from './fs-errors.js';
import { lockIngest, tryLockIngest } from './fs-ingest-lock.js';
import { FsIngestWriter } from './fs-ingest-writer.js';
import {
  FsLayout,
  blobAlgorithms,
  ingestFile,
  readIngestMetadata,
  readUpdatedAt,
  removeIngestFiles,
  temporaryMarker,
} from './fs-layout.js';
import { ingestFromSource } from './ingest-from-source.js';
import { checkOffset, checkReadSize } from './read-limits.js';

/** Options of {@link createFsContentStore}. */
export interface FsContentStoreOptions {
  /** Directory of the store; created if missing. Holds `blobs/` and `ingest/`. */
  root: string;
}

const readHighWaterMark = 1024 * 1024;

/**
 * Opens a content store on the filesystem, in containerd's layout: committed blobs in
 * `blobs/<algorithm>/<hex>` (read-only files), pending ingests in
 * `ingest/<sha256 of ref>/{data,ref,expected,updatedat}`.
 *
 * Ingests are atomic and crash-safe: bytes land in the ingest's `data` file while they
 * are hashed, and only a verified, fsynced file is renamed under its digest. A process
 * killed mid-ingest leaves a resumable partial; its lock is broken once the holder is
 * seen dead. Opening the store clears what a crash can leave behind (temp files, ingest
 * directories without data) and keeps every resumable ingest. Several processes may
 * open the same root.
 */
export async function createFsContentStore(options: FsContentStoreOptions): Promise<ContentStore> {
  const layout = new FsLayout(resolve(options.root));
  try {
    await Promise.all([
      ...blobAlgorithms.map((algorithm) => mkdir(layout.blobDir(algorithm), { recursive: true })),
      mkdir(layout.ingestRoot, { recursive: true }),
    ]);
    await recoverIngests(layout);
  } catch (err) {
    throw fsFailure(`cannot open content store at ${layout.root}`, err);
  }

  const blobStat = async (digest: Digest): Promise<Stats> => {
    const path = layout.blobPath(parseDigest(digest));
    try {
      return await stat(path);
    } catch (err) {
      throw missingBlob(digest, err);
    }
  };
  const openBlob = async (digest: Digest): Promise<FileHandle> => {
    try {
      return await open(layout.blobPath(parseDigest(digest)), 'r');
    } catch (err) {
      throw missingBlob(digest, err);
    }
  };

  const store: ContentStore = {
    async info(digest) {
      return blobInfo(digest, await blobStat(digest));
    },
    async has(digest) {
      try {
        await blobStat(digest);
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
    async read(digest, options = {}): Promise<Readable> {
      options.signal?.throwIfAborted();
      const file = await openBlob(digest);
      try {
        const { size } = await file.stat();
        const start = checkOffset(digest, options.offset, size);
        return withSignal(file.createReadStream({ start, highWaterMark: readHighWaterMark }), options.signal);
      } catch (err) {
        await file.close();
        throw fsFailure(`cannot read blob ${digest}`, err);
      }
    },
    async readBytes(digest, options = {}) {
      options.signal?.throwIfAborted();
      const file = await openBlob(digest);
      try {
        checkReadSize(digest, (await file.stat()).size, options.maxSize);
        return await file.readFile(options.signal ? { signal: options.signal } : {});
      } catch (err) {
        throw fsFailure(`cannot read blob ${digest}`, err);
      } finally {
        await file.close();
      }
    },

    async writer(ref, expected, options = {}) {
      checkRef(ref);
      expected = checkExpected(expected);
      const dir = layout.ingestDir(ref);
      const lock = await lockIngest(dir, options.signal).catch((err: unknown) => {
        throw fsFailure(`cannot lock ingest "${ref}"`, err);
      });
      return FsIngestWriter.open(layout, dir, ref, expected, lock, options.signal);
    },
    ingest(expected, source, options) {
      return ingestFromSource(store, expected, source, options);
    },

    async *list() {
      for (const algorithm of blobAlgorithms) {
        const dir = layout.blobDir(algorithm);
        for await (const entry of await opendir(dir)) {
          const digest = `${algorithm}:${entry.name}` as Digest;
          if (!entry.isFile() || !isBlobName(digest)) continue;
          const stats = await stat(join(dir, entry.name)).catch(ignoreMissing);
          if (stats) yield blobInfo(digest, stats); // else deleted meanwhile
        }
      }
    },
    async delete(digest) {
      try {
        await unlink(layout.blobPath(parseDigest(digest)));
      } catch (err) {
        throw missingBlob(digest, err);
      }
    },
    async ingests() {
      const statuses: IngestStatus[] = [];
      for (const name of await readdir(layout.ingestRoot)) {
        const status = await ingestStatus(join(layout.ingestRoot, name));
        if (status) statuses.push(status);
      }
      return statuses;
    },
    async abortIngest(ref) {
      const dir = layout.ingestDir(ref);
      const lock = await tryLockIngest(dir).catch(ignoreMissing);
      if (!lock) {
        if (await ingestStatus(dir)) {
          throw new FailedPreconditionError(`ingest "${ref}" is being written; abort its writer instead`);
        }
        throw new NotFoundError(`No such ingest: ${ref}`);
      }
      const found = (await readIngestMetadata(dir))?.ref === ref;
      try {
        await removeIngestFiles(dir);
      } finally {
        await lock.release({ removeDir: true });
      }
      if (!found) throw new NotFoundError(`No such ingest: ${ref}`);
    },
  };
  return store;
}

function blobInfo(digest: Digest, stats: Stats): BlobInfo {
  return { digest, size: stats.size, createdAt: stats.mtime };
}

function isBlobName(digest: string): boolean {
  try {
    parseDigest(digest);
    return true;
  } catch {
    return false;
  }
}

/** A pending ingest as listed: needs its metadata and data file; else it is being set up or is debris. */
async function ingestStatus(dir: string): Promise<IngestStatus | undefined> {
  const [metadata, data, updatedAt] = await Promise.all([
    readIngestMetadata(dir),
    stat(join(dir, ingestFile.data)).catch(ignoreMissing),
    readUpdatedAt(dir),
  ]);
  if (!metadata || !data) return undefined;
  const lastWrite = updatedAt && updatedAt > data.mtime ? updatedAt : data.mtime;
  return { ref: metadata.ref, expected: metadata.expected, offset: data.size, updatedAt: lastWrite };
}

/**
 * Clears what a crash leaves in `ingest/`: temp files, and directories that cannot be
 * resumed (no data or no metadata — e.g. one whose data was already renamed into
 * `blobs/` when the process died). Ingests locked by a live process are left alone.
 */
async function recoverIngests(layout: FsLayout): Promise<void> {
  for (const name of await readdir(layout.ingestRoot)) {
    const dir = join(layout.ingestRoot, name);
    const lock = await tryLockIngest(dir).catch(ignoreMissing);
    if (!lock) continue;
    let resumable = false;
    try {
      resumable = (await ingestStatus(dir)) !== undefined;
      if (resumable) await removeTemporaryFiles(dir);
      else await removeIngestFiles(dir);
    } finally {
      await lock.release({ removeDir: !resumable });
    }
  }
}

async function removeTemporaryFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const leftover = name.includes(temporaryMarker) || name.startsWith(`${ingestFile.lock}.stale-`);
    if (leftover) await unlink(join(dir, name)).catch(ignoreMissing);
  }
}

function missingBlob(digest: Digest, err: unknown): Error {
  if (systemErrorCode(err) === 'ENOENT') return new NotFoundError(`No such blob: ${digest}`, { cause: err });
  return fsFailure(`cannot access blob ${digest}`, err);
}

function ignoreMissing(err: unknown): undefined {
  if (systemErrorCode(err) === 'ENOENT') return undefined;
  throw err;
}
