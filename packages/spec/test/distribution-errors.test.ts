import {
  DISTRIBUTION_ERROR_CODES,
  DistributionErrorCodes,
  distributionErrorsBodySchema,
  isDistributionErrorCode,
} from '@berth/spec';
import { describe, expect, it } from 'vitest';

describe('registry error codes', () => {
  it('lists the OCI distribution spec codes first', () => {
    expect(DISTRIBUTION_ERROR_CODES.filter((code) => DistributionErrorCodes[code].oci)).toEqual([
      'BLOB_UNKNOWN',
      'BLOB_UPLOAD_INVALID',
      'BLOB_UPLOAD_UNKNOWN',
      'DIGEST_INVALID',
      'MANIFEST_BLOB_UNKNOWN',
      'MANIFEST_INVALID',
      'MANIFEST_UNKNOWN',
      'NAME_INVALID',
      'NAME_UNKNOWN',
      'SIZE_INVALID',
      'UNAUTHORIZED',
      'DENIED',
      'UNSUPPORTED',
      'TOOMANYREQUESTS',
    ]);
    expect(DISTRIBUTION_ERROR_CODES.slice(0, 14).every((code) => DistributionErrorCodes[code].oci)).toBe(true);
  });

  it('gives each code its HTTP status', () => {
    expect(DistributionErrorCodes.MANIFEST_UNKNOWN.status).toBe(404);
    expect(DistributionErrorCodes.UNAUTHORIZED.status).toBe(401);
    expect(DistributionErrorCodes.DENIED.status).toBe(403);
    expect(DistributionErrorCodes.TOOMANYREQUESTS.status).toBe(429);
    expect(DistributionErrorCodes.DIGEST_INVALID.status).toBe(400);
    expect(DistributionErrorCodes.UNSUPPORTED.status).toBe(405);
  });

  it('recognises known codes only', () => {
    expect(isDistributionErrorCode('BLOB_UNKNOWN')).toBe(true);
    expect(isDistributionErrorCode('RANGE_INVALID')).toBe(true);
    expect(isDistributionErrorCode('blob_unknown')).toBe(false);
    expect(isDistributionErrorCode('toString')).toBe(false);
    expect(isDistributionErrorCode(404)).toBe(false);
  });

  it('parses registry error bodies, keeping unknown codes and detail', () => {
    const body = {
      errors: [
        { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'nope' } },
        { code: 'VENDOR_SPECIFIC', message: 'something else' },
        { code: 'DENIED' },
      ],
    };
    expect(distributionErrorsBodySchema.parse(body)).toEqual(body);
    expect(distributionErrorsBodySchema.safeParse({ errors: [{ message: 'no code' }] }).success).toBe(false);
    expect(distributionErrorsBodySchema.safeParse({ message: 'not a registry body' }).success).toBe(false);
  });
});
