import {
  AnnotationKeys,
  ATTESTATION_MANIFEST_REFERENCE_TYPE,
  MediaTypes,
  OCI_IMAGE_LAYOUT_VERSION,
  OCI_LAYOUT_BLOBS_DIR,
  OCI_LAYOUT_FILE,
  OCI_LAYOUT_INDEX_FILE,
  ociLayoutBlobPath,
  ociLayoutIndexSchema,
  ociLayoutSchema,
} from '@berth/spec';
import { describe, expect, it } from 'vitest';

describe('OCI image layout', () => {
  it('names its files as the spec does', () => {
    expect(OCI_LAYOUT_FILE).toBe('oci-layout');
    expect(OCI_LAYOUT_INDEX_FILE).toBe('index.json');
    expect(OCI_LAYOUT_BLOBS_DIR).toBe('blobs');
    expect(ociLayoutSchema.parse(JSON.parse(`{"imageLayoutVersion":"${OCI_IMAGE_LAYOUT_VERSION}"}`))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
  });

  it('accepts 1.x layouts and rejects others', () => {
    expect(ociLayoutSchema.safeParse({ imageLayoutVersion: '1.1.0' }).success).toBe(true);
    expect(ociLayoutSchema.safeParse({ imageLayoutVersion: '2.0.0' }).success).toBe(false);
    expect(ociLayoutSchema.safeParse({}).success).toBe(false);
  });

  it('places blobs under blobs/<algorithm>/<hex>', () => {
    expect(ociLayoutBlobPath(`sha256:${'a'.repeat(64)}`)).toBe(`blobs/sha256/${'a'.repeat(64)}`);
    expect(ociLayoutBlobPath(`sha512:${'b'.repeat(128)}`)).toBe(`blobs/sha512/${'b'.repeat(128)}`);
  });

  it('parses a docker save index.json with ref annotations', () => {
    const index = {
      schemaVersion: 2,
      mediaType: MediaTypes.OciIndex,
      manifests: [
        {
          mediaType: MediaTypes.OciManifest,
          digest: `sha256:${'c'.repeat(64)}`,
          size: 482,
          annotations: {
            [AnnotationKeys.ContainerdImageName]: 'docker.io/library/busybox:latest',
            [AnnotationKeys.RefName]: 'latest',
          },
        },
      ],
    };
    const parsed = ociLayoutIndexSchema.parse(index);
    expect(parsed.manifests[0]?.annotations?.['org.opencontainers.image.ref.name']).toBe('latest');
    expect(parsed.manifests[0]?.annotations?.['io.containerd.image.name']).toBe('docker.io/library/busybox:latest');
  });

  it('names well-known annotation keys', () => {
    expect(AnnotationKeys.Created).toBe('org.opencontainers.image.created');
    expect(AnnotationKeys.BaseName).toBe('org.opencontainers.image.base.name');
    expect(AnnotationKeys.DockerReferenceType).toBe('vnd.docker.reference.type');
    expect(ATTESTATION_MANIFEST_REFERENCE_TYPE).toBe('attestation-manifest');
  });
});
