/**
 * Media types of OCI and Docker image documents and blobs. Docker's schema2 types are
 * accepted wherever the OCI equivalents are, as registries and `docker save` use both.
 */
export const MediaTypes = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;

/** Any media type string; well-known ones are in {@link MediaTypes}. */
export type MediaType = string;

/** Whether a media type names a single-platform image manifest (OCI or Docker schema2). */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.OciManifest || mediaType === MediaTypes.DockerManifest;
}

/** Whether a media type names a multi-platform index (OCI index or Docker manifest list). */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.OciIndex || mediaType === MediaTypes.DockerManifestList;
}

/** The compression a layer media type implies. */
export type LayerCompression = 'none' | 'gzip' | 'zstd';

/**
 * The compression of a layer blob according to its media type, or `undefined` when the
 * media type is not a layer type this package knows.
 */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  switch (mediaType) {
    case MediaTypes.OciLayer:
    case MediaTypes.OciLayerNondistributable:
    case MediaTypes.DockerLayer:
      return 'none';
    case MediaTypes.OciLayerGzip:
    case MediaTypes.OciLayerNondistributableGzip:
    case MediaTypes.DockerLayerGzip:
    case MediaTypes.DockerForeignLayerGzip:
      return 'gzip';
    case MediaTypes.OciLayerZstd:
      return 'zstd';
    default:
      return undefined;
  }
}
