import { InvalidArgumentError } from '@berth/errdefs';
import {
  type Descriptor,
  type Digest,
  type ImageManifest,
  defaultPlatform,
  digestOf,
  imageConfigSchema,
  imageManifestSchema,
  indexManifestSchema,
  isIndexMediaType,
  isManifestMediaType,
  parseReference,
  selectPlatformManifest,
} from '@berth/spec';
import type { Image, OpenOptions } from '../image.js';
import { LayoutFiles, maxDocumentSize } from '../layout/oci-layout-format.js';
import { compressedImage, parseDocument } from '../partial/compressed-image.js';
import type { ArchiveImage } from './archive-image.js';
import { classicArchiveImage } from './classic-archive-image.js';
import { ArchiveAnnotations, ArchiveFiles, type ArchiveManifestEntry, archiveManifestSchema } from './docker-archive-format.js';
import { tarBlobSource } from './tar-blob-source.js';
import { type TarEntry, type TarIndex, indexTar } from './tar-index.js';

/** An image manifest found through the archive's `index.json`, with the top-level entry that led to it. */
interface OciManifestFound {
  descriptor: Descriptor;
  manifest: ImageManifest;
  top: Descriptor;
}

/**
 * Reads a `docker save` archive: the images it holds, each with its `RepoTags` in Docker's
 * familiar form (`busybox:latest`, `foo/bar:v1`). Both layouts are understood — the classic
 * one (`manifest.json`, `<id>.json`, `<id>/layer.tar`, `repositories`) and Docker 25+'s OCI
 * layout inside the tar (`oci-layout`, `index.json`, `blobs/…`, plus `manifest.json`); an
 * archive with only an OCI layout (no `manifest.json`) is read through `index.json` and its
 * `io.containerd.image.name` annotations (for a multi-platform entry, the image this
 * machine would run).
 *
 * One pass over the tar headers finds every member; nothing is extracted or buffered.
 * The returned images are lazy and read their layers as byte ranges of the file, so the
 * file must stay in place (and unchanged) while they are used. Where the archive carries
 * an OCI manifest for an image, that manifest (and its digest) is used; otherwise a Docker
 * schema2 manifest is made up from the config and layer files, as `docker load` does.
 *
 * Throws `NotFound` when `path` does not exist and `InvalidArgument` when it is not a
 * valid docker archive (not a tar, gzip-compressed, missing or malformed members).
 */
export async function readDockerArchive(path: string, options: OpenOptions = {}): Promise<ArchiveImage[]> {
  const tar = await indexTar(path, options);
  const source = tarBlobSource(tar);
  const found = await ociManifestsOf(tar, source);
  const manifestMember = tar.resolve(ArchiveFiles.manifest);
  if (manifestMember) {
    const entries = parseDocument(await tar.readAll(manifestMember, maxDocumentSize), archiveManifestSchema, `manifest.json of ${path}`);
    const images: ArchiveImage[] = [];
    for (const entry of entries) images.push(await imageOfEntry(tar, source, found, entry));
    return images;
  }
  if (tar.resolve(ArchiveFiles.ociIndex) && tar.resolve(LayoutFiles.marker)) return imagesOfIndex(source, found);
  throw new InvalidArgumentError(`${path} is not a docker archive: it has neither manifest.json nor an OCI layout (oci-layout, index.json)`);
}

function invalid(tar: TarIndex, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`docker archive ${tar.path}: ${why}`);
}

function member(tar: TarIndex, name: string, what: string): TarEntry {
  const entry = tar.resolve(name);
  if (!entry || entry.type !== 'file') throw invalid(tar, `manifest.json names ${what} "${name}", which the archive does not hold`);
  return entry;
}

async function imageOfEntry(
  tar: TarIndex,
  source: ReturnType<typeof tarBlobSource>,
  found: OciManifestFound[],
  entry: ArchiveManifestEntry,
): Promise<ArchiveImage> {
  const rawConfig = await tar.readAll(member(tar, entry.Config, 'config'), maxDocumentSize);
  const config = parseDocument(rawConfig, imageConfigSchema, `config ${entry.Config} in ${tar.path}`);
  const layers = entry.Layers.map((name) => member(tar, name, 'layer'));
  if (layers.length !== config.rootfs.diff_ids.length) {
    throw invalid(tar, `config ${entry.Config} has ${config.rootfs.diff_ids.length} diff IDs but manifest.json lists ${layers.length} layers`);
  }
  const configDigest = digestOf(rawConfig);
  // Docker 25+ also wrote an OCI manifest for the image: use it, so its digest survives.
  const oci = found.find(
    (m) =>
      m.manifest.config.digest === configDigest &&
      m.manifest.layers.length === layers.length &&
      m.manifest.layers.every((layer) => source.has(layer)),
  );
  const image: Image = oci
    ? compressedImage(source, oci.descriptor)
    : classicArchiveImage(tar, rawConfig, config.rootfs.diff_ids, layers);
  return { image, tags: (entry.RepoTags ?? []).map((tag) => familiarRepoTag(tar, tag)) };
}

/** `docker.io/foo/bar:v1` (as skopeo writes it) → `foo/bar:v1` (as Docker writes and shows it). */
function familiarRepoTag(tar: TarIndex, tag: string): string {
  try {
    return parseReference(tag).withDefaultTag().familiar;
  } catch (err) {
    throw new InvalidArgumentError(`docker archive ${tar.path}: invalid RepoTag "${tag}"`, { cause: err });
  }
}

/** Every image manifest reachable from `index.json` whose blob the archive holds. */
async function ociManifestsOf(tar: TarIndex, source: ReturnType<typeof tarBlobSource>): Promise<OciManifestFound[]> {
  const indexMember = tar.resolve(ArchiveFiles.ociIndex);
  if (!indexMember || !tar.resolve(LayoutFiles.marker)) return [];
  const index = parseDocument(await tar.readAll(indexMember, maxDocumentSize), indexManifestSchema, `index.json of ${tar.path}`);
  const found: OciManifestFound[] = [];
  const visit = async (descriptors: Descriptor[], top: Descriptor | undefined, depth: number): Promise<void> => {
    for (const descriptor of descriptors) {
      // containerd saves whole indexes but only the blobs of the platforms it has.
      if (!source.has(descriptor)) continue;
      if (isIndexMediaType(descriptor.mediaType) && depth < 4) {
        const child = parseDocument(await source.readDocument(descriptor), indexManifestSchema, `index ${descriptor.digest} in ${tar.path}`);
        await visit(child.manifests, top ?? descriptor, depth + 1);
      } else if (isManifestMediaType(descriptor.mediaType)) {
        const manifest = parseDocument(await source.readDocument(descriptor), imageManifestSchema, `manifest ${descriptor.digest} in ${tar.path}`);
        found.push({ descriptor, manifest, top: top ?? descriptor });
      }
    }
  };
  await visit(index.manifests, undefined, 0);
  return found;
}

/** Images of an archive that is only an OCI layout: one per manifest, named by annotations. */
function imagesOfIndex(source: ReturnType<typeof tarBlobSource>, found: OciManifestFound[]): ArchiveImage[] {
  const byDigest = new Map<Digest, ArchiveImage>();
  // Grouped by top-level entry (the object: two entries may name the same digest).
  const tops = new Map<Descriptor, OciManifestFound[]>();
  for (const f of found) tops.set(f.top, [...(tops.get(f.top) ?? []), f]);
  const host = defaultPlatform();
  for (const [top, candidates] of tops) {
    // For a multi-platform entry, the image this machine would run.
    const chosen =
      candidates.length === 1
        ? candidates[0]!
        : candidates.find((c) => c.descriptor.digest === selectPlatformManifest({ manifests: candidates.map((x) => x.descriptor) }, host)?.digest);
    if (!chosen) continue;
    const image = byDigest.get(chosen.descriptor.digest) ?? { image: compressedImage(source, chosen.descriptor), tags: [] };
    const name = top.annotations?.[ArchiveAnnotations.imageName];
    if (name) {
      const tag = familiarTag(name);
      if (tag && !image.tags.includes(tag)) image.tags.push(tag);
    }
    byDigest.set(chosen.descriptor.digest, image);
  }
  return [...byDigest.values()];
}

function familiarTag(name: string): string | undefined {
  try {
    const reference = parseReference(name);
    return reference.tag === undefined ? undefined : reference.familiar;
  } catch {
    return undefined;
  }
}
