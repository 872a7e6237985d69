import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { digestAlgorithm, digestHex, digestSchema, type Digest, type DigestAlgorithm } from '@berth/spec';
import { z } from 'zod';
import type { ExpectedBlob } from './content-store.js';
import { systemErrorCode } from './fs-errors.js';

/** The digest algorithms that get a `blobs/<algorithm>` directory. */
export const blobAlgorithms: readonly DigestAlgorithm[] = ['sha256', 'sha512'];

/** File names inside one `ingest/<hash-of-ref>/` directory. */
export const ingestFile = {
  /** The bytes received so far. */
  data: 'data',
  /** The caller's ref, verbatim (the directory is named by its hash). */
  ref: 'ref',
  /** JSON `{digest, size?}`. */
  expected: 'expected',
  /** ISO time of the last release of a writer. */
  updatedAt: 'updatedat',
  /** The cross-process writer lock: `<pid> <start time> <nonce>`. */
  lock: 'lock',
} as const;

/** Marks files that are written then renamed into place; a crash can leave them behind. */
export const temporaryMarker = '.tmp-';

/**
 * Where things live under a filesystem content store's root — containerd's layout:
 * `blobs/<algorithm>/<hex>` for committed blobs, `ingest/<sha256 of ref>/` per pending ingest.
 */
export class FsLayout {
  readonly blobsRoot: string;
  readonly ingestRoot: string;

  constructor(readonly root: string) {
    this.blobsRoot = join(root, 'blobs');
    this.ingestRoot = join(root, 'ingest');
  }

  blobDir(algorithm: DigestAlgorithm): string {
    return join(this.blobsRoot, algorithm);
  }

  blobPath(digest: Digest): string {
    return join(this.blobsRoot, digestAlgorithm(digest), digestHex(digest));
  }

  /** Refs are free text; hashing them gives a safe, fixed-length directory name. */
  ingestDir(ref: string): string {
    return join(this.ingestRoot, createHash('sha256').update(ref).digest('hex'));
  }
}

const expectedSchema = z.object({ digest: digestSchema, size: z.number().int().nonnegative().optional() });

/** The metadata of one ingest directory, as written when it was started. */
export interface IngestMetadata {
  ref: string;
  expected: ExpectedBlob;
}

/** Reads `ref` and `expected` of an ingest directory; `undefined` when either is missing or unreadable. */
export async function readIngestMetadata(dir: string): Promise<IngestMetadata | undefined> {
  try {
    const [ref, expectedText] = await Promise.all([
      readFile(join(dir, ingestFile.ref), 'utf8'),
      readFile(join(dir, ingestFile.expected), 'utf8'),
    ]);
    const parsed = expectedSchema.safeParse(JSON.parse(expectedText));
    if (!parsed.success || ref.length === 0) return undefined;
    const { digest, size } = parsed.data;
    return { ref, expected: size === undefined ? { digest } : { digest, size } };
  } catch (err) {
    if (err instanceof SyntaxError || systemErrorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes the metadata of a new ingest (each file atomically). */
export async function writeIngestMetadata(dir: string, metadata: IngestMetadata): Promise<void> {
  await Promise.all([
    writeSmallFile(join(dir, ingestFile.ref), metadata.ref),
    writeExpected(dir, metadata.expected),
    writeUpdatedAt(dir, new Date()),
  ]);
}

/** Replaces the `expected` file (a resumed ingest may learn the size). */
export function writeExpected(dir: string, expected: ExpectedBlob): Promise<void> {
  return writeSmallFile(join(dir, ingestFile.expected), JSON.stringify(expected));
}

/** Records when a writer last let go of the ingest. */
export function writeUpdatedAt(dir: string, at: Date): Promise<void> {
  return writeSmallFile(join(dir, ingestFile.updatedAt), at.toISOString());
}

/** The recorded `updatedat` time, if readable. */
export async function readUpdatedAt(dir: string): Promise<Date | undefined> {
  try {
    const at = new Date((await readFile(join(dir, ingestFile.updatedAt), 'utf8')).trim());
    return Number.isNaN(at.getTime()) ? undefined : at;
  } catch (err) {
    if (systemErrorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes a small file atomically: temp file, then rename. Not fsynced — ingest metadata
 * only has to be whole, and an ingest lost in a power cut is simply fetched again.
 */
export async function writeSmallFile(path: string, text: string): Promise<void> {
  const temporary = `${path}${temporaryMarker}${randomBytes(6).toString('hex')}`;
  try {
    await writeFileExclusive(temporary, text);
    await rename(temporary, path);
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
}

async function writeFileExclusive(path: string, text: string): Promise<void> {
  const file = await open(path, 'wx');
  try {
    await file.writeFile(text);
  } finally {
    await file.close();
  }
}

/**
 * Removes an ingest's own files (data, metadata, leftover temp files) but not its lock
 * nor another process's lock candidates (`lock*`): the lock goes last, when released.
 */
export async function removeIngestFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (systemErrorCode(err) === 'ENOENT') return;
    throw err;
  }
  const ours = names.filter((name) => !name.startsWith(ingestFile.lock));
  await Promise.all(ours.map((name) => rm(join(dir, name), { force: true })));
}
