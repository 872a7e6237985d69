import type { Descriptor } from '@berth/spec';

/**
 * One named image, as containerd's image store keeps it: a name pointing at the top
 * descriptor (a manifest or an index) in a content store. The record holds no image data;
 * everything else is read from the content its `target` names.
 */
export interface ImageRecord {
  /**
   * The record's key. Image services store normalised references
   * (`docker.io/library/busybox:latest`, `docker.io/library/busybox@sha256:…`); the store
   * itself treats names as opaque, non-empty strings.
   */
  name: string;
  /** The manifest or index the name points at. */
  target: Descriptor;
  /** When the record was first created; kept when it is updated or replaced. */
  createdAt: Date;
  /** When the record last changed. */
  updatedAt: Date;
  /** Free-form metadata local to this store (not part of the image). */
  labels: Record<string, string>;
}

/** What a caller provides to create or replace a record; timestamps are set by the store. */
export interface ImageRecordInput {
  name: string;
  target: Descriptor;
  labels?: Record<string, string>;
}

/** The fields {@link ImageStore.update} may change; absent fields are kept. */
export interface ImageRecordChanges {
  target?: Descriptor;
  /** Replaces the whole label set. */
  labels?: Record<string, string>;
}

/**
 * Image metadata: names → descriptors (containerd's image store). Implementations are
 * {@link createMemoryImageStore} and {@link createFsImageStore}; both pass
 * `describeImageStore` from `@berth/image/conformance`.
 *
 * Records returned are copies: mutating them changes nothing in the store. Every
 * mutating call is durable when its promise resolves.
 */
export interface ImageStore {
  /** The record named `name`; `NotFound` if there is none. */
  get(name: string): Promise<ImageRecord>;
  /** Every record, sorted by name. */
  list(): Promise<ImageRecord[]>;
  /** Creates a record; `AlreadyExists` if the name is taken, `InvalidArgument` for a bad name or target. */
  create(record: ImageRecordInput): Promise<ImageRecord>;
  /** Changes an existing record; `NotFound` if there is none. */
  update(name: string, changes: ImageRecordChanges): Promise<ImageRecord>;
  /**
   * Creates the record or replaces the one of the same name (keeping its `createdAt`).
   * Labels default to the empty set.
   */
  put(record: ImageRecordInput): Promise<ImageRecord>;
  /** Removes the record; `NotFound` if there is none. */
  delete(name: string): Promise<void>;
}
