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
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  /** Docker schema1 (unsigned); deprecated, recognised only to be refused clearly. */
  DockerManifestSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  /** Docker schema1 (signed); deprecated, recognised only to be refused clearly. */
  DockerManifestSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  /** In-toto attestation layers (BuildKit provenance and SBOM attestations). */
  InTotoJson: 'application/vnd.in-toto+json',
} as const;

/** Any media type string; well-known ones are in {@link MediaTypes}. */
export type MediaType = string;

/**
 * The media type without parameters, lowercased: `Content-Type` headers may carry
 * `; charset=utf-8` and registries vary in case, while media types compare as
 * `type/subtype` only.
 */
export function mediaTypeEssence(mediaType: string): string {
  const semicolon = mediaType.indexOf(';');
  return (semicolon === -1 ? mediaType : mediaType.slice(0, semicolon)).trim().toLowerCase();
}

/** Whether a media type (parameters ignored) names a single-platform image manifest (OCI or Docker schema2). */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return false;
  const essence = mediaTypeEssence(mediaType);
  return essence === MediaTypes.OciManifest || essence === MediaTypes.DockerManifest;
}

/** Whether a media type (parameters ignored) names a multi-platform index (OCI index or Docker manifest list). */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return false;
  const essence = mediaTypeEssence(mediaType);
  return essence === MediaTypes.OciIndex || essence === MediaTypes.DockerManifestList;
}

/** Whether a media type (parameters ignored) names a deprecated Docker schema1 manifest. */
export function isSchema1MediaType(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return false;
  const essence = mediaTypeEssence(mediaType);
  return essence === MediaTypes.DockerManifestSchema1 || essence === MediaTypes.DockerManifestSchema1Signed;
}

/** Whether a media type names an image config blob (OCI or Docker). */
export function isConfigMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.OciConfig || mediaType === MediaTypes.DockerConfig;
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
    case MediaTypes.OciLayerNondistributableZstd:
      return 'zstd';
    default:
      return undefined;
  }
}
