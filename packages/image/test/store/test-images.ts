import { gzipSync } from 'node:zlib';
import { type Descriptor, type Digest, type ImageConfig, MediaTypes, type Platform, digestOf } from '@berth/spec';
import { pack } from 'tar-stream';
import type { ContentStore } from '../../src/content/content-store.js';

/** A small tar of `files` (path → content). */
export async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  for (const [name, body] of Object.entries(files)) archive.entry({ name, mtime: new Date(0) }, body);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Writes `bytes` into `content` and describes it. */
export async function putBlob(content: ContentStore, mediaType: string, bytes: Uint8Array): Promise<Descriptor> {
  const descriptor = { mediaType, digest: digestOf(bytes), size: bytes.byteLength };
  await content.ingest({ digest: descriptor.digest, size: descriptor.size }, (async function* () {
    yield bytes;
  })());
  return descriptor;
}

export interface TestImageSpec {
  /** One record of files per layer, bottom first. */
  layers?: Array<Record<string, string>>;
  platform?: Platform;
  created?: string;
  labels?: Record<string, string>;
  history?: ImageConfig['history'];
  extra?: Partial<ImageConfig>;
}

export interface TestImage {
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
  diffIds: Digest[];
  /** Uncompressed layer sizes. */
  tarSizes: number[];
}

/** Builds a gzip-layered OCI image into `content`. */
export async function putImage(content: ContentStore, spec: TestImageSpec = {}): Promise<TestImage> {
  const tars = await Promise.all((spec.layers ?? [{ 'hello.txt': 'hello' }]).map(tarOf));
  const layers = await Promise.all(tars.map((tar) => putBlob(content, MediaTypes.OciLayerGzip, gzipSync(tar))));
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const config: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    ...(spec.created ? { created: spec.created } : {}),
    config: { Env: ['PATH=/bin'], Cmd: ['sh'], ...(spec.labels ? { Labels: spec.labels } : {}) },
    rootfs: { type: 'layers', diff_ids: tars.map((t) => digestOf(t)) },
    ...(spec.history ? { history: spec.history } : {}),
    ...spec.extra,
  };
  const configDescriptor = await putBlob(content, MediaTypes.OciConfig, Buffer.from(JSON.stringify(config)));
  const manifestBytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OciManifest, config: configDescriptor, layers }),
  );
  const manifest = await putBlob(content, MediaTypes.OciManifest, manifestBytes);
  return { manifest, config: configDescriptor, layers, diffIds: config.rootfs.diff_ids, tarSizes: tars.map((t) => t.length) };
}

/** Builds an OCI index over `children` (each with its platform) into `content`. */
export async function putIndex(content: ContentStore, children: Array<{ manifest: Descriptor; platform: Platform }>): Promise<Descriptor> {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.OciIndex,
      manifests: children.map((c) => ({ ...c.manifest, platform: c.platform })),
    }),
  );
  return putBlob(content, MediaTypes.OciIndex, bytes);
}

/** All committed digests of a store. */
export async function blobDigests(content: ContentStore): Promise<Set<Digest>> {
  const digests = new Set<Digest>();
  for await (const blob of content.list()) digests.add(blob.digest);
  return digests;
}
