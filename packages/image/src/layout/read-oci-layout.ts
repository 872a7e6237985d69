import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import {
  type Descriptor,
  type Digest,
  type IndexManifest,
  MediaTypes,
  defaultPlatform,
  digestOf,
  indexManifestSchema,
  selectPlatformManifest,
} from '@berth/spec';
import type { Image, ImageIndex, ImageOrIndex, OpenOptions } from '../image.js';
import { compressedImage, compressedIndex, imageOrIndex, parseDocument } from '../partial/compressed-image.js';
import { ociLayoutBlobSource } from './layout-blob-source.js';
import { LayoutFiles, maxDocumentSize, ociLayoutMarkerSchema, refNameAnnotation } from './oci-layout-format.js';

/** An OCI image layout directory, opened: its `index.json` and what its entries name. */
export interface OciLayout {
  /** The layout directory. */
  readonly path: string;
  /** `index.json` as an index (its digest is that of the file's bytes). */
  readonly index: ImageIndex;
  /** Entries named by an `org.opencontainers.image.ref.name` annotation, by that name. */
  readonly refs: ReadonlyMap<string, ImageOrIndex>;
  /**
   * The image named `refName`; for a multi-platform entry, the manifest this machine would
   * run. `NotFound` when no entry has that name or no platform of the index fits.
   */
  image(refName: string): Promise<Image>;
}

/**
 * Opens the OCI image layout at `dir` (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`),
 * as skopeo's `oci:` transport and `docker buildx --output type=oci` write it. Only
 * `index.json` is read now; images are lazy and read their blobs from the directory when
 * asked. `NotFound` when `dir` does not exist; `InvalidArgument` when it is not a layout.
 */
export async function readOciLayout(dir: string, options: OpenOptions = {}): Promise<OciLayout> {
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await readFile(join(dir, name), options.signal ? { signal: options.signal } : {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const exists = await stat(dir).then(() => true, () => false);
      if (!exists) throw new NotFoundError(`no such OCI layout: ${dir}`, { cause: err });
      throw new InvalidArgumentError(`${dir} is not an OCI image layout: it has no ${name}`, { cause: err });
    }
  };
  const marker = parseDocument(await read(LayoutFiles.marker), ociLayoutMarkerSchema, `${LayoutFiles.marker} of ${dir}`);
  if (!marker.imageLayoutVersion.startsWith('1.')) {
    throw new InvalidArgumentError(`OCI layout ${dir} has version ${marker.imageLayoutVersion}; Berth reads 1.x`);
  }
  const raw = await read(LayoutFiles.index);
  if (raw.byteLength > maxDocumentSize) throw new InvalidArgumentError(`index.json of ${dir} is too large`);
  const manifest = parseDocument(raw, indexManifestSchema, `index.json of ${dir}`);
  const source = ociLayoutBlobSource(dir);
  const index = layoutIndex(source, raw, manifest, dir);

  const refs = new Map<string, ImageOrIndex>();
  const refDescriptors = new Map<string, Descriptor>();
  for (const descriptor of manifest.manifests) {
    const name = descriptor.annotations?.[refNameAnnotation];
    if (name === undefined) continue;
    refs.set(name, imageOrIndex(source, descriptor));
    refDescriptors.set(name, descriptor);
  }
  return {
    path: dir,
    index,
    refs,
    async image(refName) {
      const entry = refs.get(refName);
      if (!entry) throw new NotFoundError(`OCI layout ${dir} has no image named "${refName}"`);
      if (entry.kind === 'image') return entry.image;
      const chosen = selectPlatformManifest(await entry.index.manifest(), defaultPlatform());
      if (!chosen) throw new NotFoundError(`"${refName}" in OCI layout ${dir} has no image for this platform`);
      return entry.index.image(chosen.digest);
    },
  };
}

/** `index.json` as an {@link ImageIndex}: it is a file, not a blob, so it is served from memory. */
function layoutIndex(source: ReturnType<typeof ociLayoutBlobSource>, raw: Uint8Array, manifest: IndexManifest, dir: string): ImageIndex {
  const child = (digest: Digest): Descriptor => {
    const found = manifest.manifests.find((m) => m.digest === digest);
    if (!found) throw new NotFoundError(`index.json of ${dir} does not list ${digest}`);
    return found;
  };
  return {
    mediaType: async () => manifest.mediaType ?? MediaTypes.OciIndex,
    rawManifest: async () => raw,
    manifest: async () => manifest,
    digest: async () => digestOf(raw),
    image: async (digest) => compressedImage(source, child(digest)),
    index: async (digest) => compressedIndex(source, child(digest)),
  };
}
