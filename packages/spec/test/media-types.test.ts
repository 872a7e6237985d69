import {
  isConfigMediaType,
  isIndexMediaType,
  isManifestMediaType,
  isSchema1MediaType,
  layerCompression,
  mediaTypeEssence,
  MediaTypes,
} from '@berth/spec';
import { describe, expect, it } from 'vitest';

describe('media types', () => {
  it('tells manifests from indexes, OCI and Docker alike', () => {
    expect(isManifestMediaType(MediaTypes.OciManifest)).toBe(true);
    expect(isManifestMediaType(MediaTypes.DockerManifest)).toBe(true);
    expect(isManifestMediaType(MediaTypes.OciIndex)).toBe(false);
    expect(isManifestMediaType(undefined)).toBe(false);
    expect(isIndexMediaType(MediaTypes.OciIndex)).toBe(true);
    expect(isIndexMediaType(MediaTypes.DockerManifestList)).toBe(true);
    expect(isIndexMediaType(MediaTypes.DockerManifest)).toBe(false);
    expect(isIndexMediaType(undefined)).toBe(false);
  });

  it('ignores parameters and case, as Content-Type headers need', () => {
    expect(mediaTypeEssence('Application/VND.OCI.image.manifest.v1+json; charset=utf-8')).toBe(MediaTypes.OciManifest);
    expect(isManifestMediaType(`${MediaTypes.DockerManifest}; charset=utf-8`)).toBe(true);
    expect(isIndexMediaType(` ${MediaTypes.OciIndex.toUpperCase()} `)).toBe(true);
  });

  it('recognises schema1 and config types', () => {
    expect(isSchema1MediaType(MediaTypes.DockerManifestSchema1Signed)).toBe(true);
    expect(isSchema1MediaType(MediaTypes.DockerManifestSchema1)).toBe(true);
    expect(isSchema1MediaType(MediaTypes.DockerManifest)).toBe(false);
    expect(isConfigMediaType(MediaTypes.OciConfig)).toBe(true);
    expect(isConfigMediaType(MediaTypes.DockerConfig)).toBe(true);
    expect(isConfigMediaType(MediaTypes.OciLayer)).toBe(false);
  });

  it.each([
    [MediaTypes.OciLayer, 'none'],
    [MediaTypes.DockerLayer, 'none'],
    [MediaTypes.OciLayerNondistributable, 'none'],
    [MediaTypes.OciLayerGzip, 'gzip'],
    [MediaTypes.DockerLayerGzip, 'gzip'],
    [MediaTypes.DockerForeignLayerGzip, 'gzip'],
    [MediaTypes.OciLayerNondistributableGzip, 'gzip'],
    [MediaTypes.OciLayerZstd, 'zstd'],
    [MediaTypes.OciLayerNondistributableZstd, 'zstd'],
    [MediaTypes.OciConfig, undefined],
    ['text/plain', undefined],
  ])('layerCompression(%s) is %s', (mediaType, compression) => {
    expect(layerCompression(mediaType)).toBe(compression);
  });
});
