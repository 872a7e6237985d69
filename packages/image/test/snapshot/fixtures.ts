import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { type ContentStore, type Image, compressedImage } from '@berth/image';
import { type Descriptor, type Digest, MediaTypes, digestOf } from '@berth/spec';
import { pack } from 'tar-stream';
import { mountPointsUnder } from '../../src/snapshot/mount-table.js';
import { unmountAll } from '../../src/snapshot/mount.js';

/** One entry of a test layer. */
export type LayerEntry =
  | { name: string; type?: 'file'; content: string; mode?: number }
  | { name: string; type: 'directory'; mode?: number }
  | { name: string; type: 'symlink'; linkname: string }
  | { name: string; type: 'link'; linkname: string };

/** A layer as bytes: the uncompressed tar (its digest is the diff ID) and its gzip. */
export interface LayerBlob {
  tar: Buffer;
  gzip: Buffer;
  diffId: Digest;
  descriptor: Descriptor;
}

/** Builds a gzipped tar layer from entries (`.wh.` names are whiteouts, as in OCI). */
export async function buildLayer(entries: LayerEntry[]): Promise<LayerBlob> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  for (const entry of entries) {
    const header = { name: entry.name, mtime: new Date(1_700_000_000_000) };
    if (entry.type === 'directory') tar.entry({ ...header, type: 'directory', mode: entry.mode ?? 0o755 });
    else if (entry.type === 'symlink') tar.entry({ ...header, type: 'symlink', linkname: entry.linkname });
    else if (entry.type === 'link') tar.entry({ ...header, type: 'link', linkname: entry.linkname });
    else tar.entry({ ...header, type: 'file', mode: entry.mode ?? 0o644 }, entry.content);
  }
  tar.finalize();
  await ended;
  const tarBytes = Buffer.concat(chunks);
  const gzip = gzipSync(tarBytes);
  return {
    tar: tarBytes,
    gzip,
    diffId: digestOf(tarBytes),
    descriptor: { mediaType: MediaTypes.OciLayerGzip, digest: digestOf(gzip), size: gzip.byteLength },
  };
}

async function put(store: ContentStore, bytes: Uint8Array): Promise<void> {
  await store.ingest({ digest: digestOf(bytes), size: bytes.byteLength }, Readable.from([bytes]));
}

/**
 * Stores an OCI image made of `layers` in `store` and returns it as an {@link Image}.
 * `diffIds` overrides the config's diff IDs (to simulate a lying config).
 */
export async function storeTestImage(store: ContentStore, layers: LayerBlob[], diffIds?: Digest[]): Promise<Image> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds ?? layers.map((l) => l.diffId) } }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: { mediaType: MediaTypes.OciConfig, digest: digestOf(config), size: config.byteLength },
      layers: layers.map((l) => l.descriptor),
    }),
  );
  for (const layer of layers) await put(store, layer.gzip);
  await put(store, config);
  await put(store, manifest);
  const source = {
    readDocument: (descriptor: Descriptor) => store.readBytes(descriptor.digest),
    openBlob: (descriptor: Descriptor, options?: { signal?: AbortSignal }) => store.read(descriptor.digest, options),
  };
  return compressedImage(source, { mediaType: MediaTypes.OciManifest, digest: digestOf(manifest), size: manifest.byteLength });
}

/**
 * Unmounts whatever is still mounted under `directory` and returns what was: a test
 * file's final check that nothing leaked (empty means clean).
 */
export async function releaseLeakedMounts(directory: string): Promise<string[]> {
  const leaked = await mountPointsUnder(directory);
  for (const point of leaked) await unmountAll(point);
  return leaked;
}
