import type {
  ImageDeleteEntry,
  ImageHistoryEntry,
  ImageInspect,
  ImagePullHandle,
  ImagePushHandle,
  ImageSummary,
} from '@berth/engine';
import type {
  ImageDeleteResponseItem,
  ImageHistoryResponseItem,
  ImageInspect as WireImageInspect,
  ImageSummary as WireImageSummary,
} from '../generated/engine-api-schemas.js';
import type { ProgressMessage } from '../progress-message.js';
import { unixSeconds } from './wire-time.js';

/** One event of a running pull (the registry client's `PullEvent`). */
export type PullProgressEvent = ImagePullHandle['progress'] extends AsyncIterable<infer E> ? E : never;
/** One event of a running push (the registry client's `PushEvent`). */
export type PushProgressEvent = ImagePushHandle['progress'] extends AsyncIterable<infer E> ? E : never;

/** One line of `docker images` → docker's `ImageSummary`. */
export function imageSummaryToWire(i: ImageSummary): WireImageSummary {
  return {
    Id: i.id,
    ParentId: i.parentId,
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Created: unixSeconds(i.created),
    Size: i.size,
    SharedSize: -1,
    VirtualSize: i.size,
    Labels: i.labels,
    Containers: i.containers,
  };
}

/** `docker image inspect` → docker's `ImageInspect` (the config keeps the image config's names). */
export function imageInspectToWire(i: ImageInspect): WireImageInspect {
  return {
    Id: i.id,
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Parent: i.parent,
    Comment: i.comment,
    Created: i.created?.toISOString() ?? '',
    DockerVersion: '',
    Author: i.author,
    Config: i.config as WireImageInspect['Config'],
    Architecture: i.architecture,
    ...(i.variant !== undefined ? { Variant: i.variant } : {}),
    Os: i.os,
    ...(i.osVersion !== undefined ? { OsVersion: i.osVersion } : {}),
    Size: i.size,
    VirtualSize: i.size,
    GraphDriver: { Name: 'overlay2', Data: null },
    RootFS: { Type: i.rootFs.type, Layers: i.rootFs.layers },
    Metadata: { LastTagTime: i.lastTagTime?.toISOString() ?? '0001-01-01T00:00:00Z' },
  };
}

/** `docker history` → docker's items (newest first, as the engine gives them). */
export function imageHistoryToWire(entries: readonly ImageHistoryEntry[]): ImageHistoryResponseItem[] {
  return entries.map((e) => ({
    Id: e.id,
    Created: unixSeconds(e.created),
    CreatedBy: e.createdBy,
    Tags: e.tags.length > 0 ? e.tags : null,
    Size: e.size,
    Comment: e.comment,
  }));
}

/** `docker rmi` lines → docker's `[{"Untagged": …}, {"Deleted": …}]`. */
export function imageDeleteToWire(entries: readonly ImageDeleteEntry[]): ImageDeleteResponseItem[] {
  return entries.map((e) => ('untagged' in e ? { Untagged: e.untagged } : { Deleted: e.deleted }));
}

const layerStatus: Record<string, string> = {
  waiting: 'Waiting',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  downloaded: 'Download complete',
  extracting: 'Extracting',
  done: 'Pull complete',
};

/**
 * A pull event as the JSON message dockerd streams from `POST /images/create`, or `undefined`
 * for events docker does not show. Layers are named by their short digest, as the CLI expects.
 */
export function pullEventToProgress(event: PullProgressEvent): ProgressMessage | undefined {
  switch (event.type) {
    case 'resolved':
      return { status: `Pulling from ${repositoryOf(event.reference)}`, id: tagOf(event.reference) };
    case 'layer': {
      const id = shortDigest(event.digest);
      const status = layerStatus[event.state] ?? event.state;
      if (event.state === 'downloading' || event.state === 'extracting') {
        return { status, id, progressDetail: { current: event.bytes, total: event.total } };
      }
      return { status, id, progressDetail: {} };
    }
    case 'retry':
      return { status: `Retrying (attempt ${event.attempt}): ${event.reason}`, id: shortDigest(event.digest) };
    default:
      return undefined;
  }
}

/** A push event as the JSON message dockerd streams from `POST /images/{name}/push`. */
export function pushEventToProgress(event: PushProgressEvent): ProgressMessage | undefined {
  switch (event.type) {
    case 'blob': {
      const names: Record<string, string> = {
        waiting: 'Waiting',
        exists: 'Layer already exists',
        mounted: 'Mounted from another repository',
        pushing: 'Pushing',
        pushed: 'Pushed',
      };
      const id = shortDigest(event.digest);
      return event.state === 'pushing'
        ? { status: 'Pushing', id, progressDetail: { current: event.bytes, total: event.total } }
        : { status: names[event.state] ?? event.state, id, progressDetail: {} };
    }
    default:
      return undefined;
  }
}

/** The closing lines of a pull: docker's `Digest:` and `Status:` messages. */
export function pullDoneMessages(result: { reference: string; digest: string }, newer: boolean): ProgressMessage[] {
  return [
    { status: `Digest: ${result.digest}` },
    { status: newer ? `Status: Downloaded newer image for ${result.reference}` : `Status: Image is up to date for ${result.reference}` },
  ];
}

/** The closing lines of a push: `<tag>: digest: sha256:… size: N` and the `aux` result. */
export function pushDoneMessages(result: { reference: string; digest: string; size: number }): ProgressMessage[] {
  const tag = tagOf(result.reference);
  return [
    { status: `${tag}: digest: ${result.digest} size: ${result.size}` },
    { progressDetail: {}, aux: { Tag: tag, Digest: result.digest, Size: result.size } },
  ];
}

function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

function repositoryOf(reference: string): string {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const repo = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  return repo.replace(/^docker\.io\//, '');
}

function tagOf(reference: string): string {
  if (reference.includes('@')) return reference.split('@')[1] ?? 'latest';
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  return colon > slash ? reference.slice(colon + 1) : 'latest';
}
