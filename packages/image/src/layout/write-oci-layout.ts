import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '@berth/errdefs';
import {
  type Descriptor,
  type IndexManifest,
  MediaTypes,
  type Platform,
  digestOf,
  indexManifestSchema,
  isIndexMediaType,
  isManifestMediaType,
} from '@berth/spec';
import type { Image, ImageIndex } from '../image.js';
import { parseDocument } from '../partial/compressed-image.js';
import { writeBlobFile, writeLayoutFile } from './blob-file.js';
import { LayoutFiles, ociLayoutMarker, ociLayoutMarkerSchema, refNameAnnotation } from './oci-layout-format.js';

/** One thing to add to a layout: an image or an index, optionally named. */
export type OciLayoutEntry = ({ image: Image; index?: never } | { index: ImageIndex; image?: never }) & {
  /** The `org.opencontainers.image.ref.name` to give the entry (skopeo's `oci:dir:<ref>`). */
  refName?: string;
  /** More annotations for the `index.json` entry. */
  annotations?: Record<string, string>;
  /** Platform for the `index.json` entry. */
  platform?: Platform;
};

/** Options of {@link writeOciLayout}. */
export interface WriteOciLayoutOptions {
  /** Stops the write; blobs already complete stay, `index.json` is not updated. */
  signal?: AbortSignal;
}

const bytesSource = (bytes: Uint8Array) => async () => Readable.from([Buffer.from(bytes)], { objectMode: false });

/**
 * Writes images and indexes into the OCI image layout at `dir`, creating it (`oci-layout`,
 * `blobs/`, `index.json`) or appending to an existing one: blobs are added (each verified
 * and made visible atomically; existing ones are kept), and `index.json` gains one entry per
 * `entries` item — an entry whose `refName` is already used replaces the old one, as
 * skopeo does. `index.json` is rewritten atomically, last, so an interrupted write leaves
 * the previous index intact. One writer per layout at a time.
 *
 * Returns the descriptors added to `index.json`.
 */
export async function writeOciLayout(dir: string, entries: OciLayoutEntry[], options: WriteOciLayoutOptions = {}): Promise<Descriptor[]> {
  const { signal } = options;
  const existing = await openOrCreate(dir);
  const added: Descriptor[] = [];
  for (const entry of entries) {
    signal?.throwIfAborted();
    const descriptor = entry.image ? await writeImage(dir, entry.image, signal) : await writeIndex(dir, entry.index!, signal, 0);
    const annotations = { ...entry.annotations, ...(entry.refName !== undefined ? { [refNameAnnotation]: entry.refName } : {}) };
    added.push({
      ...descriptor,
      ...(entry.platform ? { platform: entry.platform } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    });
  }
  signal?.throwIfAborted();
  const replacedNames = new Set(added.map((d) => d.annotations?.[refNameAnnotation]).filter((n) => n !== undefined));
  const kept = existing.manifests.filter((d) => {
    const name = d.annotations?.[refNameAnnotation];
    if (name !== undefined) return !replacedNames.has(name);
    // An unnamed entry added again is not listed twice.
    return !added.some((a) => a.digest === d.digest && a.annotations?.[refNameAnnotation] === undefined);
  });
  const index: IndexManifest = { ...existing, schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [...kept, ...added] };
  await writeLayoutFile(join(dir, LayoutFiles.index), new TextEncoder().encode(JSON.stringify(index)));
  return added;
}

async function openOrCreate(dir: string): Promise<IndexManifest> {
  let marker: Buffer | undefined;
  try {
    marker = await readFile(join(dir, LayoutFiles.marker));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (marker) {
    const parsed = parseDocument(marker, ociLayoutMarkerSchema, `${LayoutFiles.marker} of ${dir}`);
    if (!parsed.imageLayoutVersion.startsWith('1.')) {
      throw new InvalidArgumentError(`OCI layout ${dir} has version ${parsed.imageLayoutVersion}; Berth writes 1.x`);
    }
  } else {
    await writeLayoutFile(join(dir, LayoutFiles.marker), new TextEncoder().encode(JSON.stringify(ociLayoutMarker)));
  }
  try {
    return parseDocument(await readFile(join(dir, LayoutFiles.index)), indexManifestSchema, `index.json of ${dir}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return { schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [] };
  }
}

/** Writes an image's layers, config and manifest; returns the manifest's descriptor. */
async function writeImage(dir: string, image: Image, signal: AbortSignal | undefined): Promise<Descriptor> {
  const [rawManifest, manifest, layers, rawConfig, mediaType] = await Promise.all([
    image.rawManifest(),
    image.manifest(),
    image.layers(),
    image.rawConfig(),
    image.mediaType(),
  ]);
  if (layers.length !== manifest.layers.length) {
    throw new InvalidArgumentError(`image ${await image.digest()} has ${layers.length} layers but its manifest lists ${manifest.layers.length}`);
  }
  for (const [i, layer] of layers.entries()) {
    await writeBlobFile(dir, manifest.layers[i]!, () => layer.compressed({ signal }), signal);
  }
  await writeBlobFile(dir, manifest.config, bytesSource(rawConfig), signal);
  const descriptor: Descriptor = { mediaType, digest: digestOf(rawManifest), size: rawManifest.byteLength };
  await writeBlobFile(dir, descriptor, bytesSource(rawManifest), signal);
  return descriptor;
}

/** Writes an index and, first, everything it lists; returns the index's descriptor. */
async function writeIndex(dir: string, index: ImageIndex, signal: AbortSignal | undefined, depth: number): Promise<Descriptor> {
  if (depth > 4) throw new InvalidArgumentError('image indexes nested more than 4 deep');
  const [raw, manifest, mediaType] = await Promise.all([index.rawManifest(), index.manifest(), index.mediaType()]);
  for (const child of manifest.manifests) {
    signal?.throwIfAborted();
    if (isIndexMediaType(child.mediaType)) await writeIndex(dir, await index.index(child.digest), signal, depth + 1);
    else if (isManifestMediaType(child.mediaType)) await writeImage(dir, await index.image(child.digest), signal);
    else throw new InvalidArgumentError(`index ${await index.digest()} lists ${child.digest} of media type ${child.mediaType}, which Berth cannot copy`);
  }
  const descriptor: Descriptor = { mediaType, digest: digestOf(raw), size: raw.byteLength };
  await writeBlobFile(dir, descriptor, bytesSource(raw), signal);
  return descriptor;
}
