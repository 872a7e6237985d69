import {
  DOCKER_ARCHIVE_MANIFEST_FILE,
  DOCKER_ARCHIVE_REPOSITORIES_FILE,
  dockerArchiveManifestSchema,
  dockerArchiveRepositoriesSchema,
  MediaTypes,
} from '@berth/spec';
import { describe, expect, it } from 'vitest';

const hex = (char: string): string => char.repeat(64);

describe('Docker archive documents', () => {
  it('names its files', () => {
    expect(DOCKER_ARCHIVE_MANIFEST_FILE).toBe('manifest.json');
    expect(DOCKER_ARCHIVE_REPOSITORIES_FILE).toBe('repositories');
  });

  it('parses a docker save manifest.json (legacy and OCI-era layouts)', () => {
    const manifest = [
      {
        Config: `${hex('a')}.json`,
        RepoTags: ['busybox:latest', 'localhost:5000/busybox:1'],
        Layers: [`${hex('b')}/layer.tar`],
      },
      {
        Config: `blobs/sha256/${hex('c')}`,
        RepoTags: null,
        Layers: [`blobs/sha256/${hex('d')}`, `blobs/sha256/${hex('e')}`],
        LayerSources: {
          [`sha256:${hex('e')}`]: {
            mediaType: MediaTypes.DockerForeignLayerGzip,
            size: 1024,
            digest: `sha256:${hex('f')}`,
            urls: ['https://example.com/layer'],
          },
        },
        Parent: `sha256:${hex('9')}`,
        FutureField: true,
      },
    ];
    expect(dockerArchiveManifestSchema.parse(manifest)).toEqual(manifest);
  });

  it('rejects entries without Config or Layers', () => {
    expect(dockerArchiveManifestSchema.safeParse([{ RepoTags: [], Layers: [] }]).success).toBe(false);
    expect(dockerArchiveManifestSchema.safeParse([{ Config: 'x.json', RepoTags: [] }]).success).toBe(false);
    expect(dockerArchiveManifestSchema.safeParse({ Config: 'x.json', Layers: [] }).success).toBe(false);
  });

  it('parses the repositories file', () => {
    const repositories = { busybox: { latest: hex('b') }, 'localhost:5000/busybox': { '1': hex('b') } };
    expect(dockerArchiveRepositoriesSchema.parse(repositories)).toEqual(repositories);
    expect(dockerArchiveRepositoriesSchema.safeParse({ busybox: 'latest' }).success).toBe(false);
  });
});
