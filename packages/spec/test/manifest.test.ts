import { isInvalidArgument } from '@berth/errdefs';
import {
  descriptorSchema,
  imageConfigSchema,
  imageManifestSchema,
  indexManifestSchema,
  isImageManifest,
  isIndexManifest,
  MediaTypes,
  parseManifestDocument,
} from '@berth/spec';
import { describe, expect, it } from 'vitest';

const d = (char: string): string => `sha256:${char.repeat(64)}`;

const dockerManifest = {
  schemaVersion: 2,
  mediaType: MediaTypes.DockerManifest,
  config: { mediaType: MediaTypes.DockerConfig, size: 1457, digest: d('1') },
  layers: [{ mediaType: MediaTypes.DockerLayerGzip, size: 2152262, digest: d('2') }],
};

const ociManifest = {
  schemaVersion: 2,
  mediaType: MediaTypes.OciManifest,
  config: { mediaType: MediaTypes.OciConfig, digest: d('3'), size: 581 },
  layers: [
    {
      mediaType: MediaTypes.OciLayerZstd,
      digest: d('4'),
      size: 100,
      annotations: { 'org.opencontainers.image.title': 'layer.tar.zst' },
    },
  ],
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
};

const dockerManifestList = {
  schemaVersion: 2,
  mediaType: MediaTypes.DockerManifestList,
  manifests: [
    {
      mediaType: MediaTypes.DockerManifest,
      size: 528,
      digest: d('5'),
      platform: { architecture: 'amd64', os: 'linux' },
    },
    {
      mediaType: MediaTypes.DockerManifest,
      size: 528,
      digest: d('6'),
      platform: { architecture: 'arm', os: 'linux', variant: 'v7', features: ['sse4'] },
    },
    {
      mediaType: MediaTypes.DockerManifest,
      size: 1125,
      digest: d('7'),
      platform: { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.5830', 'os.features': ['win32k'] },
    },
  ],
};

const ociIndex = {
  schemaVersion: 2,
  mediaType: MediaTypes.OciIndex,
  manifests: [
    { mediaType: MediaTypes.OciManifest, digest: d('8'), size: 10, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    {
      mediaType: MediaTypes.OciManifest,
      digest: d('9'),
      size: 10,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d('8') },
    },
  ],
};

describe('manifest schemas', () => {
  it('accept OCI and Docker documents of both kinds', () => {
    expect(imageManifestSchema.parse(dockerManifest)).toEqual(dockerManifest);
    expect(imageManifestSchema.parse(ociManifest)).toEqual(ociManifest);
    expect(indexManifestSchema.parse(dockerManifestList)).toEqual(dockerManifestList);
    expect(indexManifestSchema.parse(ociIndex)).toEqual(ociIndex);
  });

  it('keep the Docker manifest list platform fields', () => {
    const parsed = indexManifestSchema.parse(dockerManifestList);
    expect(parsed.manifests[1]?.platform).toEqual({ architecture: 'arm', os: 'linux', variant: 'v7', features: ['sse4'] });
    expect(parsed.manifests[2]?.platform?.['os.version']).toBe('10.0.17763.5830');
    expect(parsed.manifests[2]?.platform?.['os.features']).toEqual(['win32k']);
  });

  it('keep unknown fields at every level', () => {
    const document = {
      ...ociManifest,
      futureField: { nested: true },
      config: { ...ociManifest.config, extra: 'x' },
      layers: [{ ...ociManifest.layers[0], vendorHint: 1 }],
      subject: { mediaType: MediaTypes.OciManifest, digest: d('a'), size: 1, more: [1, 2] },
    };
    expect(imageManifestSchema.parse(document)).toEqual(document);
    const index = { ...ociIndex, manifests: [{ ...ociIndex.manifests[0], platform: { os: 'linux', architecture: 'arm64', cpu: 'x' } }] };
    expect(indexManifestSchema.parse(index)).toEqual(index);
  });

  it('reject malformed documents', () => {
    expect(imageManifestSchema.safeParse({ ...dockerManifest, schemaVersion: 1 }).success).toBe(false);
    expect(imageManifestSchema.safeParse({ ...dockerManifest, layers: undefined }).success).toBe(false);
    expect(descriptorSchema.safeParse({ mediaType: 'x', digest: 'sha256:abc', size: 1 }).success).toBe(false);
    expect(descriptorSchema.safeParse({ mediaType: 'x', digest: d('1'), size: -1 }).success).toBe(false);
    expect(descriptorSchema.safeParse({ mediaType: 'x', digest: d('1'), size: 1.5 }).success).toBe(false);
  });

  it('parse an image config and keep unknown fields', () => {
    const config = {
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin'], Cmd: ['sh'], ExposedPorts: { '80/tcp': {} }, Labels: null, Custom: 1 },
      rootfs: { type: 'layers', diff_ids: [d('b')] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: 'ADD rootfs', empty_layer: false }],
      container: 'legacy-docker-field',
    };
    expect(imageConfigSchema.parse(config)).toEqual(config);
    expect(imageConfigSchema.safeParse({ ...config, rootfs: { type: 'layers', diff_ids: ['bad'] } }).success).toBe(false);
  });
});

describe('isImageManifest / isIndexManifest', () => {
  it('classify by media type', () => {
    expect(isImageManifest(dockerManifest)).toBe(true);
    expect(isImageManifest(ociManifest)).toBe(true);
    expect(isIndexManifest(dockerManifestList)).toBe(true);
    expect(isIndexManifest(ociIndex)).toBe(true);
    expect(isImageManifest(ociIndex)).toBe(false);
    expect(isIndexManifest(dockerManifest)).toBe(false);
  });

  it('classify by shape when the media type is absent', () => {
    const { mediaType: _m, ...bareManifest } = ociManifest;
    const { mediaType: _i, ...bareIndex } = ociIndex;
    expect(isImageManifest(bareManifest)).toBe(true);
    expect(isIndexManifest(bareManifest)).toBe(false);
    expect(isIndexManifest(bareIndex)).toBe(true);
    expect(isImageManifest(bareIndex)).toBe(false);
  });

  it('trust a present media type over the shape', () => {
    expect(isImageManifest({ ...ociManifest, mediaType: MediaTypes.OciIndex })).toBe(false);
    expect(isImageManifest({ ...ociManifest, mediaType: 'application/vnd.example+json' })).toBe(false);
  });

  it('reject non-documents and invalid documents', () => {
    expect(isImageManifest(null)).toBe(false);
    expect(isImageManifest([])).toBe(false);
    expect(isImageManifest('manifest')).toBe(false);
    expect(isImageManifest({ ...dockerManifest, config: { digest: 'nope' } })).toBe(false);
    expect(isIndexManifest({ ...ociIndex, manifests: [{}] })).toBe(false);
  });
});

describe('parseManifestDocument', () => {
  it('returns the kind with the parsed document', () => {
    expect(parseManifestDocument(dockerManifest)).toEqual({ kind: 'image', manifest: dockerManifest });
    expect(parseManifestDocument(dockerManifestList)).toEqual({ kind: 'index', index: dockerManifestList });
  });

  it('uses the Content-Type when the document has no media type', () => {
    const { mediaType: _m, ...bare } = ociIndex;
    expect(parseManifestDocument(bare, `${MediaTypes.OciIndex}; charset=utf-8`).kind).toBe('index');
    const { mediaType: _n, ...bareManifest } = ociManifest;
    expect(parseManifestDocument(bareManifest).kind).toBe('image');
  });

  it('refuses schema1, unknown media types and invalid documents', () => {
    const expectInvalid = (run: () => unknown, message: string): void => {
      try {
        run();
        expect.unreachable();
      } catch (error) {
        expect(isInvalidArgument(error)).toBe(true);
        expect((error as Error).message).toContain(message);
      }
    };
    expectInvalid(() => parseManifestDocument({ schemaVersion: 1, name: 'x', fsLayers: [] }), 'schema 1');
    expectInvalid(() => parseManifestDocument({ schemaVersion: 2 }, MediaTypes.DockerManifestSchema1Signed), 'schema 1');
    expectInvalid(() => parseManifestDocument({ ...dockerManifest, mediaType: 'text/plain' }), 'unsupported manifest media type "text/plain"');
    expectInvalid(() => parseManifestDocument({ schemaVersion: 2 }), 'unsupported manifest media type');
    expectInvalid(() => parseManifestDocument({ ...dockerManifest, layers: [{ digest: 'x' }] }), 'invalid image manifest');
    expectInvalid(() => parseManifestDocument('{}'), 'not a JSON object');
  });
});
