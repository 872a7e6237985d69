import type { Readable, Writable } from 'node:stream';
import type { TarSource } from '@berth/image';
import type { AuthOption, PullEvent, PushEvent } from '@berth/registry-client';
import type { ImageConfig, Platform } from '@berth/spec';

/** One line of `docker images` (docker's `ImageSummary`, camelCased). */
export interface ImageSummary {
  /** `sha256:…` of the config. */
  id: string;
  /** Parent image ID (commit, build), `''` when none. */
  parentId: string;
  repoTags: string[];
  repoDigests: string[];
  created: Date;
  /** Bytes (uncompressed when known). */
  size: number;
  labels: Record<string, string>;
  /** Containers using the image. */
  containers: number;
}

/** `docker image inspect`, camelCased. */
export interface ImageInspect {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  parent: string;
  comment: string;
  created?: Date;
  author: string;
  /** The image's runtime defaults, as the image config holds them (docker's `Config`). */
  config: NonNullable<ImageConfig['config']>;
  architecture: string;
  variant?: string;
  os: string;
  osVersion?: string;
  size: number;
  rootFs: { type: string; layers: string[] };
  lastTagTime?: Date;
}

/** One line of `docker history`, newest first. */
export interface ImageHistoryEntry {
  /** The image ID on the newest entry, `<missing>` on the others. */
  id: string;
  created: Date;
  createdBy: string;
  tags: string[];
  size: number;
  comment: string;
}

/** One line of `docker rmi`'s output. */
export type ImageDeleteEntry = { untagged: string } | { deleted: string };

/** Options of `images.list`. */
export interface ImageListOptions {
  /** docker's filters: `reference`, `label`, `dangling`, `before`, `since`. */
  filters?: Record<string, readonly string[]>;
  /** Include intermediate images too (there are none in Berth; accepted for the API). */
  all?: boolean;
}

/** Options of `images.remove`. */
export interface ImageRemoveOptions {
  force?: boolean;
  noPrune?: boolean;
}

/** Options of `images.pull`. */
export interface ImagePullOptions {
  /** `linux/arm64`, or a platform. */
  platform?: Platform | string;
  /** Credentials for this pull (else the engine's). */
  auth?: AuthOption;
  signal?: AbortSignal;
}

/** What a finished pull produced. */
export interface ImagePullResult {
  /** The familiar reference pulled (`busybox:latest`). */
  reference: string;
  /** Image ID. */
  id: string;
  /** Digest of what the reference named in the registry (`sha256:…`). */
  digest: string;
}

/** A running pull: iterate `progress` (optional, once), await `done`. */
export interface ImagePullHandle {
  readonly progress: AsyncIterable<PullEvent>;
  readonly done: Promise<ImagePullResult>;
}

/** Options of `images.push`. */
export interface ImagePushOptions {
  auth?: AuthOption;
  signal?: AbortSignal;
}

/** What a finished push did. */
export interface ImagePushResult {
  reference: string;
  /** Digest of the pushed manifest. */
  digest: string;
  size: number;
}

/** A running push: iterate `progress` (optional, once), await `done`. */
export interface ImagePushHandle {
  readonly progress: AsyncIterable<PushEvent>;
  readonly done: Promise<ImagePushResult>;
}

/** Options of `images.save`. */
export interface ImageSaveOptions {
  signal?: AbortSignal;
}

/** Where `images.save` and `containers.export` write: a file path or a stream (ended when done). */
export type ArchiveTarget = string | Writable;

/** Where `images.load` reads: a file path (read in place) or a stream (spooled first). */
export type ArchiveSource = string | Readable;

/** Options of `images.load`. */
export interface ImageLoadOptions {
  signal?: AbortSignal;
}

/** What `images.load` loaded. */
export interface ImageLoadResult {
  images: Array<{ id: string; repoTags: string[] }>;
}

/** Options of `images.import` (`docker import`). */
export interface ImageImportOptions {
  /** Name for the new image (`app:rootfs`); none leaves it dangling. */
  reference?: string;
  /** Runtime defaults (`--change`): `{ cmd: ['sh'] , env: […] }` in the image config's names (`Cmd`, `Env`…). */
  changes?: NonNullable<ImageConfig['config']>;
  message?: string;
  platform?: Platform;
  signal?: AbortSignal;
}

/** Input of `images.import`: a rootfs tar as a stream, bytes or a stream factory. */
export type ImportSource = Readable | TarSource;

/** Options of `images.prune`. */
export interface ImagePruneOptions {
  /** `dangling` (`false` = every unused image, docker's `-a`), `label`, `label!`, `until`. */
  filters?: Record<string, readonly string[]>;
  signal?: AbortSignal;
}

/** What `images.prune` removed. */
export interface ImagePruneReport {
  imagesDeleted: ImageDeleteEntry[];
  spaceReclaimed: number;
}

/** Options of `images.inspectDistribution`. */
export interface ImageDistributionOptions {
  /** Credentials for this lookup (else the engine's). */
  auth?: AuthOption;
  signal?: AbortSignal;
}

/**
 * What a reference names in its registry, without pulling it (docker's `GET
 * /distribution/{name}/json`): the descriptor of the index or manifest it points at,
 * and the platforms it offers.
 */
export interface ImageDistributionInspect {
  /** Media type, digest and size of what the reference names. */
  descriptor: { mediaType: string; digest: string; size: number };
  /**
   * For an index, the platforms of its manifests (attestation entries included, as
   * dockerd lists them); for a single manifest, the platform its config declares.
   */
  platforms: Platform[];
}
