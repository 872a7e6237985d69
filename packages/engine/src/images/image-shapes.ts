import type {
  ImageDeleteEntry as ServiceDeleteEntry,
  ImageHistoryEntry as ServiceHistoryEntry,
  ImageInspectInfo,
  ImageSummary as ServiceSummary,
} from '@berth/image';
import type { ImageDeleteEntry, ImageHistoryEntry, ImageInspect, ImageSummary } from './image-types.js';

/** The image service's docker-named summary as the engine's camelCased one. */
export function toImageSummary(summary: ServiceSummary, containers: number): ImageSummary {
  return {
    id: summary.Id,
    parentId: summary.ParentId,
    repoTags: summary.RepoTags,
    repoDigests: summary.RepoDigests,
    created: new Date(summary.Created * 1000),
    size: summary.Size,
    labels: summary.Labels ?? {},
    containers,
  };
}

/** The image service's inspect document, camelCased. */
export function toImageInspect(info: ImageInspectInfo): ImageInspect {
  return {
    id: info.Id,
    repoTags: info.RepoTags,
    repoDigests: info.RepoDigests,
    parent: info.Parent,
    comment: info.Comment,
    ...(info.Created ? { created: new Date(info.Created) } : {}),
    author: info.Author,
    config: info.Config as ImageInspect['config'],
    architecture: info.Architecture,
    ...(info.Variant ? { variant: info.Variant } : {}),
    os: info.Os,
    ...(info.OsVersion ? { osVersion: info.OsVersion } : {}),
    size: info.Size,
    rootFs: { type: info.RootFS.Type, layers: info.RootFS.Layers },
    ...(info.Metadata.LastTagTime ? { lastTagTime: new Date(info.Metadata.LastTagTime) } : {}),
  };
}

/** One history line, camelCased. */
export function toHistoryEntry(entry: ServiceHistoryEntry): ImageHistoryEntry {
  return {
    id: entry.Id,
    created: new Date(entry.Created * 1000),
    createdBy: entry.CreatedBy,
    tags: entry.Tags,
    size: entry.Size,
    comment: entry.Comment,
  };
}

/** One `rmi` line, camelCased. */
export function toDeleteEntry(entry: ServiceDeleteEntry): ImageDeleteEntry {
  return 'Untagged' in entry ? { untagged: entry.Untagged } : { deleted: entry.Deleted };
}
