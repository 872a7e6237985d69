import type { Descriptor, Digest, ImageConfig, Platform } from '@berth/spec';
import type { ContentProvider } from '../content/content-store.js';
import type { Image } from '../image.js';
import type { ImageStore } from './image-store.js';

/** A container using an image, as the engine reports it to the image service. */
export interface ImageUser {
  containerId: string;
  /** Running (or paused) containers block removal even when forced; stopped ones only without force. */
  running: boolean;
}

/** Options of {@link createImageService}. */
export interface ImageServiceOptions {
  /** Where image documents and layers are read. */
  content: ContentProvider;
  /** The names. */
  images: ImageStore;
  /**
   * The containers using the image with this ID (config digest); none when omitted. The
   * engine passes its containers' usage so removal follows Docker's conflict rules.
   */
  isInUse?: (imageId: Digest) => Promise<readonly ImageUser[]> | readonly ImageUser[];
  /**
   * The uncompressed size of the layer with this diff ID, when something knows it (the
   * snapshotter after unpacking). Sizes are reported uncompressed when every layer of an
   * image has one, else compressed (the manifest's sizes).
   */
  uncompressedSize?: (diffId: Digest) => Promise<number | undefined> | number | undefined;
  /** Platform whose image an index resolves to (default: this host's). */
  platform?: Platform;
}

/** An image resolved for use: what a container is created from. */
export interface ResolvedImage {
  /** Docker's image ID: the config digest. */
  id: Digest;
  /** The descriptor the record names (manifest or index). */
  target: Descriptor;
  /** The single-platform manifest for the service's platform. */
  manifest: Descriptor;
  /** The image, backed by the content store. */
  image: Image;
  config: ImageConfig;
  /** Familiar tags of the image (`busybox:latest`). */
  repoTags: string[];
}

/** One line of `docker images` (the Docker API's `ImageSummary`). */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** Unix seconds. */
  Created: number;
  Size: number;
  /** Not computed: -1, as Docker when not asked. */
  SharedSize: number;
  Labels: Record<string, string>;
  /** Not computed: -1, as Docker when not asked. */
  Containers: number;
}

/** Docker's `docker image inspect` document. */
export interface ImageInspectInfo {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  /** RFC 3339, when the image config has a creation time. */
  Created?: string;
  DockerVersion: string;
  Author: string;
  /** The runtime defaults of the image config (`config`). */
  Config: Record<string, unknown>;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  /** See {@link ImageServiceOptions.uncompressedSize}. */
  Size: number;
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime?: string };
}

/** One line of `docker history`, newest first. */
export interface ImageHistoryEntry {
  /** The image ID on the newest entry, `<missing>` on the others (no local parent chain). */
  Id: string;
  /** Unix seconds (0 when the history entry has no time). */
  Created: number;
  CreatedBy: string;
  /** Familiar tags, on the newest entry only. */
  Tags: string[];
  /** Size of the layer the step made; 0 for steps that made none. */
  Size: number;
  Comment: string;
}

/** One line of `docker rmi` output. */
export type ImageDeleteEntry = { Untagged: string } | { Deleted: string };

/** Options of {@link ImageService.list}. */
export interface ImageListOptions {
  /**
   * Docker's filters, values per key: `reference` (glob on familiar names: `busy*`,
   * `localhost:5000/*`), `label` (`key` or `key=value`, all must match), `dangling`
   * (`true`/`false`), `before` / `since` (an image reference or ID). Other keys are
   * `InvalidArgument`.
   */
  filters?: Record<string, readonly string[]>;
}

/** Options of {@link ImageService.remove}. */
export interface ImageRemoveOptions {
  /** Remove despite soft conflicts: several names, stopped containers. */
  force?: boolean;
  /** Do not remove the untagged parent images (`Parent`) the removal leaves unused. */
  noPrune?: boolean;
}

/** Options of {@link ImageService.putImage}. */
export interface PutImageOptions {
  /** The manifest or index, already in the content store. */
  target: Descriptor;
  /** The name to give it (`busybox`, `localhost:5000/app:1`); none keeps the image dangling. */
  reference?: string;
  /** Labels of the record (for example {@link IMAGE_PARENT_LABEL}). */
  labels?: Record<string, string>;
}

/**
 * Record label naming an image's parent ID (set by commit and build); reported as `Parent`
 * and followed when pruning on removal.
 */
export const IMAGE_PARENT_LABEL = 'io.berth.image.parent';

/**
 * Docker's image-level semantics over a content store and an image store: what
 * `docker images`, `tag`, `rmi`, `inspect` and `history` do. Created by
 * {@link createImageService}; stateless apart from a cache of immutable facts, so several
 * services may share the stores (changes are serialised within one service).
 */
export interface ImageService {
  /** The image `reference` names (name, `name:tag`, `name@digest`, ID, or unambiguous ID prefix). */
  resolve(reference: string): Promise<ResolvedImage>;
  /**
   * Records an image whose blobs are in the content store, as pull, load, commit and build
   * do: names it `reference` (an image that loses its last name to this stays, dangling),
   * or keeps it dangling when no reference is given and it has no name yet.
   */
  putImage(options: PutImageOptions): Promise<ResolvedImage>;
  /** Gives the image `source` names the name `target` (tag defaults to `latest`; digests refused). */
  tag(source: string, target: string): Promise<void>;
  /**
   * Removes one name (or, for `name@digest`, every name of that repository pointing at the
   * digest). The image itself stays, dangling if it has no name left.
   */
  untag(reference: string): Promise<ImageDeleteEntry[]>;
  /** Docker's image list, newest first. */
  list(options?: ImageListOptions): Promise<ImageSummary[]>;
  inspect(reference: string): Promise<ImageInspectInfo>;
  history(reference: string): Promise<ImageHistoryEntry[]>;
  /**
   * Docker's `rmi`: by name untags (deleting the image with its last name); by ID deletes
   * the image and all its names. Conflicts: `conflict: unable to delete <id> (must be forced)
   * - image is referenced in multiple repositories`, `… (cannot be forced) - image is being
   * used by running container <id>`, `… (must be forced) - image is being used by stopped
   * container <id>`, and `conflict: unable to remove repository reference "<ref>" (must force)
   * - container <id> is using its referenced image <id>`. Blobs stay until
   * {@link collectGarbage}.
   */
  remove(reference: string, options?: ImageRemoveOptions): Promise<ImageDeleteEntry[]>;
}
