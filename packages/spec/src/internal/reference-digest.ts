import type { Digest } from '../digest.js';

/**
 * go-digest's general digest shape. An algorithm it does not know is reported as
 * "unsupported" only when the digest has this shape, and as a format error otherwise.
 */
const anyDigestShape = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const hexLength: Record<string, number> = { sha256: 64, sha512: 128 };
const lowercaseHex = /^[a-f0-9]+$/;

/**
 * Validates the digest part of an image reference the way Docker does
 * (`digest.Parse` of go-digest), returning Docker's message when it is invalid.
 * Only the algorithms Berth verifies are available: a `sha384` digest, which Docker
 * accepts, is reported here as an unsupported algorithm.
 */
export function checkReferenceDigest(value: string): { digest: Digest } | { problem: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon + 1 === value.length) return { problem: 'invalid checksum digest format' };
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  const expectedLength = hexLength[algorithm];
  if (expectedLength === undefined) {
    return {
      problem: anyDigestShape.test(value) ? 'unsupported digest algorithm' : 'invalid checksum digest format',
    };
  }
  if (encoded.length !== expectedLength) return { problem: 'invalid checksum digest length' };
  if (!lowercaseHex.test(encoded)) return { problem: 'invalid checksum digest format' };
  return { digest: value as Digest };
}
