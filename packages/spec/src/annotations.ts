/**
 * Well-known annotation keys of OCI manifests, indexes and descriptors, and the ones
 * containerd, Docker and BuildKit add. Values are always strings.
 */
export const AnnotationKeys = {
  /** Date and time the image was built (RFC 3339). */
  Created: 'org.opencontainers.image.created',
  /** Contact details of the people or organisation responsible for the image. */
  Authors: 'org.opencontainers.image.authors',
  /** URL to find more information on the image. */
  Url: 'org.opencontainers.image.url',
  /** URL to the image's documentation. */
  Documentation: 'org.opencontainers.image.documentation',
  /** URL to the source code the image was built from. */
  Source: 'org.opencontainers.image.source',
  /** Version of the packaged software. */
  Version: 'org.opencontainers.image.version',
  /** Source control revision the image was built from. */
  Revision: 'org.opencontainers.image.revision',
  /** Name of the distributing entity. */
  Vendor: 'org.opencontainers.image.vendor',
  /** SPDX license expression of the contained software. */
  Licenses: 'org.opencontainers.image.licenses',
  /**
   * In an OCI image layout's `index.json`, the reference (usually just the tag) a
   * manifest is known by.
   */
  RefName: 'org.opencontainers.image.ref.name',
  /** Human-readable title of the image. */
  Title: 'org.opencontainers.image.title',
  /** Human-readable description of the image. */
  Description: 'org.opencontainers.image.description',
  /** Digest of the image this one was built on. */
  BaseDigest: 'org.opencontainers.image.base.digest',
  /** Reference of the image this one was built on. */
  BaseName: 'org.opencontainers.image.base.name',
  /**
   * containerd's and Docker's full image name (`docker.io/library/busybox:latest`) in
   * `index.json` of `docker save` and `ctr export` archives.
   */
  ContainerdImageName: 'io.containerd.image.name',
  /** BuildKit: the digest of the image manifest an attestation manifest describes. */
  DockerReferenceDigest: 'vnd.docker.reference.digest',
  /** BuildKit: the kind of a reference manifest (`attestation-manifest`). */
  DockerReferenceType: 'vnd.docker.reference.type',
} as const;

/** One of the well-known keys in {@link AnnotationKeys}. */
export type AnnotationKey = (typeof AnnotationKeys)[keyof typeof AnnotationKeys];

/** The {@link AnnotationKeys.DockerReferenceType} value that marks an attestation manifest. */
export const ATTESTATION_MANIFEST_REFERENCE_TYPE = 'attestation-manifest';
