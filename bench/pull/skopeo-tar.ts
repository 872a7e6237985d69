import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processCpu } from '../lib/cpu-time.js';
import { runCommand } from '../lib/process.js';
import { since } from '../lib/stats.js';

/** Timings of one `skopeo copy` + GNU tar run, in ms. */
export interface SkopeoTarTiming {
  totalMs: number;
  copyMs: number;
  extractMs: number;
  /** CPU time of skopeo, tar and gzip. */
  cpuMs: number;
}

/**
 * The baseline: `skopeo copy` from the registry into an OCI layout under `dir`, then
 * GNU tar extracting each layer, bottom first, into one root (`tar -xzf`, as root so
 * owners and modes are kept; `--numeric-owner` as image layers mean). No whiteout
 * handling: the benchmark image has none.
 */
export async function skopeoTar(reference: string, dir: string): Promise<SkopeoTarTiming> {
  const layout = join(dir, 'layout');
  const rootfs = join(dir, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  const cpuBefore = await processCpu();
  const start = performance.now();
  await runCommand('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${reference}`, `oci:${layout}:bench`]);
  const copyMs = since(start);
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(await readFile(blobPath(layout, index.manifests[0]!.digest), 'utf8')) as { layers: { digest: string }[] };
  for (const layer of manifest.layers) {
    await runCommand('tar', ['-xzf', blobPath(layout, layer.digest), '-C', rootfs, '--numeric-owner', '--same-owner', '--same-permissions']);
  }
  const totalMs = since(start);
  const cpuMs = (await processCpu()).childrenMs - cpuBefore.childrenMs;
  return { totalMs, copyMs, extractMs: totalMs - copyMs, cpuMs };
}

function blobPath(layout: string, digest: string): string {
  return join(layout, 'blobs', ...digest.split(':'));
}
