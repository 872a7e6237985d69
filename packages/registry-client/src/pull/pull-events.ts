import type { Descriptor, Digest, Platform } from '@berth/spec';

/**
 * Where one layer is in a pull: `waiting` (queued for a download slot), `exists` (the
 * content store had it), `downloading` (with `bytes` of `total`), `verifying` (digest
 * check at commit), `downloaded` (in the content store), `extracting` (being unpacked
 * into the snapshotter), `done` (in the store and, with a snapshotter, unpacked).
 */
export type LayerState = 'waiting' | 'exists' | 'downloading' | 'verifying' | 'downloaded' | 'extracting' | 'done';

/** The reference has been resolved to a manifest for the wanted platform. */
export interface PullResolvedEvent {
  type: 'resolved';
  /** The reference as pulled (`docker.io/library/busybox:latest`). */
  reference: string;
  /** What the reference names: an index or a manifest. */
  target: Descriptor;
  /** The platform's manifest (equal to `target` for single-platform images). */
  manifest: Descriptor;
  /** The platform chosen from an index; `undefined` for single-platform images. */
  platform: Platform | undefined;
  /** The layers to fetch, bottom first. */
  layers: Descriptor[];
}

/** A layer changed state, or made progress while downloading. */
export interface PullLayerEvent {
  type: 'layer';
  state: LayerState;
  digest: Digest;
  /** Bytes of the layer held so far (compressed). */
  bytes: number;
  /** The layer's compressed size. */
  total: number;
}

/** A transfer failed transiently and is being retried (resuming where it stopped). */
export interface PullRetryEvent {
  type: 'retry';
  digest: Digest;
  attempt: number;
  /** Why the previous attempt failed. */
  reason: string;
  /** Where the next attempt resumes. */
  offset: number;
}

/** Totals over all layers, sent whenever they change. */
export interface PullTotalsEvent {
  type: 'totals';
  /** Compressed bytes held (already present ones included). */
  bytes: number;
  /** Compressed size of all layers. */
  total: number;
  layersDone: number;
  layers: number;
}

/** Progress of a pull, in order. Byte-count events coalesce when the consumer lags. */
export type PullEvent = PullResolvedEvent | PullLayerEvent | PullRetryEvent | PullTotalsEvent;
