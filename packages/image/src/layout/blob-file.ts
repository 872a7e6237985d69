import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from '@berth/atomic-file';
import { InvalidArgumentError } from '@berth/errdefs';
import { type Descriptor, digestAlgorithm } from '@berth/spec';
import { DigestingStream } from '../mutate/digesting-stream.js';
import { blobPath } from './oci-layout-format.js';

async function hasBlob(path: string, size: number): Promise<boolean> {
  try {
    return (await stat(path)).size === size;
  } catch {
    return false;
  }
}

function temporaryPath(path: string): string {
  return join(dirname(path), `.tmp-${randomBytes(6).toString('hex')}`);
}

/**
 * Writes one blob into a layout directory: streamed to a temporary file while hashed,
 * then renamed into `blobs/<alg>/<hex>` only if digest and size match the descriptor —
 * a half-written or wrong blob is never visible. A blob already present (same size) is
 * kept; content addressing makes a second copy pointless.
 */
export async function writeBlobFile(dir: string, descriptor: Descriptor, open: () => Promise<Readable>, signal?: AbortSignal): Promise<void> {
  const path = join(dir, blobPath(descriptor.digest));
  if (await hasBlob(path, descriptor.size)) return;
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPath(path);
  try {
    const hasher = new DigestingStream(digestAlgorithm(descriptor.digest));
    await pipeline(await open(), hasher, createWriteStream(temporary), signal ? { signal } : {});
    const digest = hasher.digest();
    if (digest !== descriptor.digest || hasher.bytes !== descriptor.size) {
      throw new InvalidArgumentError(
        `blob ${descriptor.digest} (${descriptor.size} bytes) arrived as ${digest} (${hasher.bytes} bytes); not written`,
      );
    }
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

/** Writes a small file of the layout (`index.json`, `oci-layout`) atomically, creating its directory. */
export async function writeLayoutFile(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, bytes, { mode: 0o666 }); // as writeFile: readable by the tools that read layouts
}
