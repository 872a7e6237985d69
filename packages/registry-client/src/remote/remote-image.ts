import { type Image, type ImageIndex, compressedImage, compressedIndex } from '@berth/image';
import { type Descriptor, type Digest, type ImageReference, type Platform, defaultPlatform, isIndexMediaType, parsePlatform } from '@berth/spec';
import type { RegistryClient, RegistryClientOptions } from '../client/registry-client.js';
import type { AuthOption } from '../auth/credentials.js';
import { openClient, toReference } from '../internal/client-for.js';
import { resolveImage } from '../pull/resolve-image.js';
import { remoteBlobSource } from './remote-blob-source.js';

/** Options of {@link remoteImage} and {@link remoteIndex}. */
export interface RemoteImageOptions {
  /** Platform to pick when the reference names an index (default: this host's). */
  platform?: Platform | string;
  auth?: AuthOption;
  /** A client to use; otherwise one is made from `registry` (its idle connections do not keep the process alive). */
  client?: RegistryClient;
  registry?: RegistryClientOptions;
  signal?: AbortSignal;
}

/** An image in a registry: the {@link Image} interface, read lazily over HTTP. */
export interface RemoteImage extends Image {
  /** The reference it was resolved from, normalised. */
  readonly reference: ImageReference;
  /** The descriptor of its manifest (with the platform, when picked from an index). */
  readonly descriptor: Descriptor;
}

/** An index in a registry: the {@link ImageIndex} interface, read lazily over HTTP. */
export interface RemoteIndex extends ImageIndex {
  readonly reference: ImageReference;
  readonly descriptor: Descriptor;
}

/**
 * The image `reference` names in its registry — for an index, the manifest for the
 * platform. Only the manifest (and index) are fetched now; the config and layers are
 * fetched, verified, when asked for. Any `Image` consumer works on it: write it to a
 * content store, an OCI layout or a docker archive, or push it elsewhere.
 */
export async function remoteImage(reference: string | ImageReference, options: RemoteImageOptions = {}): Promise<RemoteImage> {
  const ref = toReference(reference);
  const { client } = openClient(ref, options);
  const repository = client.repository(ref.domain, ref.path);
  const platform = typeof options.platform === 'string' ? parsePlatform(options.platform) : (options.platform ?? defaultPlatform());
  const resolved = await resolveImage(repository, ref, platform, options.signal);
  const known = new Map<Digest, Uint8Array>([[resolved.manifestDescriptor.digest, resolved.manifestBytes]]);
  const image = compressedImage(remoteBlobSource(repository, known), resolved.manifestDescriptor);
  return Object.assign(image, { reference: ref, descriptor: resolved.manifestDescriptor });
}

/**
 * The index `reference` names in its registry, or `undefined` when it names a
 * single-platform manifest. Children are fetched when asked for.
 */
export async function remoteIndex(reference: string | ImageReference, options: RemoteImageOptions = {}): Promise<RemoteIndex | undefined> {
  const ref = toReference(reference);
  const { client } = openClient(ref, options);
  const repository = client.repository(ref.domain, ref.path);
  const top = await repository.fetchManifest(ref.digest ?? ref.tag ?? 'latest', options.signal ? { signal: options.signal } : {});
  if (!isIndexMediaType(top.descriptor.mediaType)) return undefined;
  const known = new Map<Digest, Uint8Array>([[top.descriptor.digest, top.bytes]]);
  const index = compressedIndex(remoteBlobSource(repository, known), top.descriptor);
  return Object.assign(index, { reference: ref, descriptor: top.descriptor });
}
