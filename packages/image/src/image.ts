import type { Readable } from 'node:stream';
import type { Descriptor, Digest, ImageConfig, ImageManifest, IndexManifest } from '@berth/spec';

/** Options of every stream-producing call. */
export interface OpenOptions {
  /** Aborts the read; the returned stream is destroyed with an `AbortError`. */
  signal?: AbortSignal;
}

/**
 * One filesystem layer of an image. Lazy: nothing is read until a method is called, and
 * blobs are stream factories, never byte fields. A layer exists in two forms — the
 * compressed blob (what registries and content stores hold, named by `digest`) and the
 * uncompressed tar (what is applied to a root filesystem, named by `diffId`).
 */
export interface Layer {
  /** Digest of the compressed blob. */
  digest(): Promise<Digest>;
  /** Digest of the uncompressed tar (the image config's `rootfs.diff_ids` entry). */
  diffId(): Promise<Digest>;
  /** Size in bytes of the compressed blob. */
  size(): Promise<number>;
  /** Media type of the compressed blob. */
  mediaType(): Promise<string>;
  /** A fresh stream of the compressed blob bytes. */
  compressed(options?: OpenOptions): Promise<Readable>;
  /** A fresh stream of the uncompressed tar. */
  uncompressed(options?: OpenOptions): Promise<Readable>;
}

/**
 * A single-platform image. Raw bytes sit next to parsed forms: digests are always taken
 * over `rawManifest()` / `rawConfig()`, never over a re-serialisation of the parsed value.
 */
export interface Image {
  /** Media type of the manifest (OCI or Docker schema2). */
  mediaType(): Promise<string>;
  /** The manifest exactly as stored or received. */
  rawManifest(): Promise<Uint8Array>;
  /** The parsed manifest. */
  manifest(): Promise<ImageManifest>;
  /** Digest of `rawManifest()`. */
  digest(): Promise<Digest>;
  /** The image configuration exactly as stored or received. */
  rawConfig(): Promise<Uint8Array>;
  /** The parsed image configuration. */
  config(): Promise<ImageConfig>;
  /** Digest of `rawConfig()` — Docker's image ID. */
  configDigest(): Promise<Digest>;
  /** The layers, bottom first. */
  layers(): Promise<Layer[]>;
  /** The layer whose compressed blob has `digest`; `NotFound` otherwise. */
  layerByDigest(digest: Digest): Promise<Layer>;
  /** The layer whose uncompressed tar has `diffId`; `NotFound` otherwise. */
  layerByDiffId(diffId: Digest): Promise<Layer>;
}

/** A multi-platform index (OCI image index or Docker manifest list), lazily resolved. */
export interface ImageIndex {
  /** Media type of the index document. */
  mediaType(): Promise<string>;
  /** The index exactly as stored or received. */
  rawManifest(): Promise<Uint8Array>;
  /** The parsed index. */
  manifest(): Promise<IndexManifest>;
  /** Digest of `rawManifest()`. */
  digest(): Promise<Digest>;
  /** The child image named by `digest`; `NotFound` when the index does not list it. */
  image(digest: Digest): Promise<Image>;
  /** The child index named by `digest`; `NotFound` when the index does not list it. */
  index(digest: Digest): Promise<ImageIndex>;
}

/** Either kind of thing a reference can name. */
export type ImageOrIndex = { kind: 'image'; image: Image } | { kind: 'index'; index: ImageIndex };

/** A descriptor together with where it came from; handy for sinks that write blobs. */
export interface DescribedBlob {
  descriptor: Descriptor;
  open(options?: OpenOptions): Promise<Readable>;
}
