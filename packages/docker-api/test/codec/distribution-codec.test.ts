import { describe, expect, it } from 'vitest';
import { DistributionInspectSchema, distributionInspectFromWire, distributionInspectToWire } from '@berth/docker-api';

describe('distribution inspect codec', () => {
  const engineForm = {
    descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 1234 },
    platforms: [
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm', os: 'linux', variant: 'v7' },
      { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1', 'os.features': ['win32k'] },
    ],
  };

  it("writes docker's DistributionInspect, which its schema accepts", () => {
    const wire = distributionInspectToWire(engineForm);
    expect(wire).toEqual({
      Descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 1234 },
      Platforms: [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm', os: 'linux', variant: 'v7' },
        { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1', 'os.features': ['win32k'] },
      ],
    });
    expect(DistributionInspectSchema.safeParse(wire).success).toBe(true);
  });

  it('reads it back to the same engine form', () => {
    expect(distributionInspectFromWire(DistributionInspectSchema.parse(JSON.parse(JSON.stringify(distributionInspectToWire(engineForm)))))).toEqual(engineForm);
  });

  it('reads what dockerd may send: null platforms, missing fields', () => {
    expect(distributionInspectFromWire(DistributionInspectSchema.parse({ Descriptor: { digest: `sha256:${'b'.repeat(64)}` }, Platforms: null }))).toEqual({
      descriptor: { mediaType: '', digest: `sha256:${'b'.repeat(64)}`, size: 0 },
      platforms: [],
    });
  });
});
