import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Image, layerFromTar, mutate, readOciLayout, writeOciLayout } from '@berth/image';
import { MediaTypes } from '@berth/spec';
import { runCommand } from '../lib/process.js';
import { benchRoot } from '../lib/scratch.js';

/** One layer of the benchmark image: host paths (relative to `/`) tarred together. */
interface LayerPlan {
  name: string;
  /** Directories added recursively. */
  paths: string[];
}

/**
 * The image: big trees of many small files (man pages, locales, perl) and a layer of
 * a few large shared libraries — about 260 MB compressed, 36k files, as a real distro
 * image would be. Paths missing on this host are skipped (and the cache key says which).
 */
const plan: LayerPlan[] = [
  { name: 'perl', paths: ['usr/share/perl', 'usr/share/perl5', 'usr/lib/x86_64-linux-gnu/perl'] },
  { name: 'locale', paths: ['usr/share/locale'] },
  { name: 'man', paths: ['usr/share/man'] },
  { name: 'doc', paths: ['usr/share/doc'] },
  {
    name: 'libraries',
    paths: [
      'usr/lib/x86_64-linux-gnu/libLLVM-15.so.1',
      'usr/lib/x86_64-linux-gnu/libLLVM-14.so.1',
      'usr/lib/x86_64-linux-gnu/libicudata.so.72.1',
      'usr/lib/x86_64-linux-gnu/libz3.so.4',
      'usr/lib/x86_64-linux-gnu/libx265.so.199',
      'usr/lib/x86_64-linux-gnu/librsvg-2.so.2.48.0',
      'usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0',
      'usr/lib/x86_64-linux-gnu/libcrypto.so.3',
    ],
  },
];

/** Where the built image is cached, as an OCI image layout with the ref name `bench`. */
export const benchImageLayout = join(benchRoot, 'pull-image');
const refName = 'bench';
/** Bump when the plan or the way layers are made changes, to invalidate caches. */
const planVersion = 2;

/** What {@link benchImage} reports about the image. */
export interface BenchImage {
  image: Image;
  layout: string;
  /** Whether it was built now (else it came from the cache). */
  built: boolean;
  layers: number;
  compressedBytes: number;
  uncompressedBytes: number;
  files: number;
}

function parentsOf(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * The benchmark image, from the cache under /var/tmp/berth-bench when it was built
 * before from the same plan, else built now: each layer with GNU tar (parent
 * directories as entries, numeric owners) piped through `gzip -n`, assembled with
 * `@berth/image` (Docker schema2 manifest, so every contender reads it natively).
 */
export async function benchImage(log: (line: string) => void): Promise<BenchImage> {
  const present = plan
    .map((layer) => ({ ...layer, paths: layer.paths.filter((p) => existsSync(`/${p}`)) }))
    .filter((layer) => layer.paths.length > 0);
  const key = JSON.stringify({ planVersion, present });
  const stamp = join(benchImageLayout, 'bench-plan.json');
  const cached = existsSync(stamp) && (await readFile(stamp, 'utf8')) === key;
  if (!cached) {
    log(`building the benchmark image into ${benchImageLayout} (cached for later runs)…`);
    await rm(benchImageLayout, { recursive: true, force: true });
    const tarDir = join(benchRoot, 'pull-layers');
    await mkdir(tarDir, { recursive: true });
    const layers = [];
    for (const layer of present) {
      const file = join(tarDir, `${layer.name}.tar.gz`);
      const parents = [...new Set(layer.paths.flatMap(parentsOf))];
      await runCommand('bash', [
        '-o',
        'pipefail',
        '-c',
        `tar -C / --numeric-owner -cf - --no-recursion ${parents.join(' ')} --recursion ${layer.paths.join(' ')} | gzip -n > ${file}`,
      ]);
      layers.push({ layer: layerFromTar(() => createReadStream(file), { mediaType: MediaTypes.DockerLayerGzip }), history: { created_by: `tar ${layer.paths.join(' ')}` } });
    }
    const image = mutate.config(mutate.appendLayers(mutate.empty({ format: 'docker' }), ...layers), { Cmd: ['/bin/sh'] });
    await writeOciLayout(benchImageLayout, [{ image, refName }]);
    await rm(tarDir, { recursive: true, force: true });
    await writeFile(stamp, key);
  }
  const image = await (await readOciLayout(benchImageLayout)).image(refName);
  const layers = await image.layers();
  let compressedBytes = 0;
  for (const layer of layers) compressedBytes += await layer.size();
  const facts = join(benchImageLayout, 'bench-facts.json');
  if (!cached || !existsSync(facts)) {
    let uncompressedBytes = 0;
    let files = 0;
    for (const layer of layers) {
      const blob = join(benchImageLayout, 'blobs', ...(await layer.digest()).split(':'));
      const listing = await runCommand('tar', ['-tzvf', blob]);
      for (const line of listing.stdout.split('\n')) {
        if (line === '') continue;
        files++;
        uncompressedBytes += Number(line.split(/\s+/)[2] ?? 0);
      }
    }
    await writeFile(facts, JSON.stringify({ uncompressedBytes, files }));
  }
  const { uncompressedBytes, files } = JSON.parse(await readFile(facts, 'utf8')) as { uncompressedBytes: number; files: number };
  return { image, layout: benchImageLayout, built: !cached, layers: layers.length, compressedBytes, uncompressedBytes, files };
}
