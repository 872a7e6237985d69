import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { applyLayer, decompress } from '@berth/image';
import { runCommand } from '../lib/process.js';
import { removeTree, settle } from '../lib/scratch.js';
import { since } from '../lib/stats.js';

/** Where the time of unpacking one layer goes, in ms, each phase measured alone. */
export interface LayerPhases {
  /** `gzip -dc > /dev/null`: C gunzip, for reference. */
  gzipMs: number;
  /** Node zlib gunzip (Berth's `decompress`) + sha256 of the tar, discarding the bytes. */
  gunzipHashMs: number;
  /** `applyLayer` into an empty directory (gunzip + hash + tar parsing + file system). */
  applyMs: number;
  /** `tar -xzf` of the same blob into an empty directory. */
  tarMs: number;
}

/**
 * Measures the phases of unpacking the layer blob at `blob` (a local file), each run on
 * its own: the difference between `applyMs` and `gunzipHashMs` is tar parsing plus file
 * system work, which `tarMs - gzipMs` gives for GNU tar.
 */
export async function profileLayer(blob: string, scratch: string): Promise<LayerPhases> {
  let start = performance.now();
  await runCommand('bash', ['-c', `gzip -dc ${blob} > /dev/null`]);
  const gzipMs = since(start);

  start = performance.now();
  const hash = createHash('sha256');
  await pipeline(
    decompress(createReadStream(blob, { highWaterMark: 1 << 20 }), 'gzip'),
    new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback();
      },
    }),
  );
  hash.digest();
  const gunzipHashMs = since(start);

  const applyDir = join(scratch, 'apply');
  await mkdir(applyDir, { recursive: true });
  start = performance.now();
  await applyLayer(createReadStream(blob, { highWaterMark: 1 << 20 }), applyDir, { compression: 'gzip', whiteouts: 'overlay' });
  const applyMs = since(start);
  await removeTree(applyDir);
  await settle();

  const tarDir = join(scratch, 'tar');
  await mkdir(tarDir, { recursive: true });
  start = performance.now();
  await runCommand('tar', ['-xzf', blob, '-C', tarDir, '--numeric-owner', '--same-owner', '--same-permissions']);
  const tarMs = since(start);
  await removeTree(tarDir);
  await settle();
  return { gzipMs, gunzipHashMs, applyMs, tarMs };
}
