import type { Descriptor, Digest } from '@berth/spec';

/**
 * Where one blob is in a push: `waiting` (queued), `exists` (the registry has it),
 * `mounted` (cross-repository mount), `pushing` (with `bytes` of `total`), `pushed`.
 */
export type PushBlobState = 'waiting' | 'exists' | 'mounted' | 'pushing' | 'pushed';

/** A blob (layer or config) changed state, or made progress while uploading. */
export interface PushBlobEvent {
  type: 'blob';
  state: PushBlobState;
  digest: Digest;
  bytes: number;
  total: number;
}

/** A manifest or index was stored under `reference` (a tag, or its digest). */
export interface PushManifestEvent {
  type: 'manifest';
  descriptor: Descriptor;
  reference: string;
}

/** Totals over all blobs, sent whenever they change. */
export interface PushTotalsEvent {
  type: 'totals';
  bytes: number;
  total: number;
  blobsDone: number;
  blobs: number;
}

/** Progress of a push, in order. Byte-count events coalesce when the consumer lags. */
export type PushEvent = PushBlobEvent | PushManifestEvent | PushTotalsEvent;
