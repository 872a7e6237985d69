import { isInvalidArgument } from '@berth/errdefs';
import { digestAlgorithm, digestHex, digestOf, digestSchema, isDigest, parseDigest } from '@berth/spec';
import { describe, expect, it } from 'vitest';

const sha256Empty = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('digests', () => {
  it.each([
    [sha256Empty, true],
    [`sha512:${'a'.repeat(128)}`, true],
    [`sha256:${'a'.repeat(63)}`, false],
    [`sha256:${'a'.repeat(65)}`, false],
    [`sha512:${'a'.repeat(64)}`, false],
    [`sha256:${'A'.repeat(64)}`, false],
    [`SHA256:${'a'.repeat(64)}`, false],
    [`sha384:${'a'.repeat(96)}`, false],
    [`md5:${'a'.repeat(32)}`, false],
    [`sha256:${'g'.repeat(64)}`, false],
    ['sha256:', false],
    ['a'.repeat(64), false],
    ['', false],
  ])('isDigest(%s) is %s', (value, valid) => {
    expect(isDigest(value)).toBe(valid);
    expect(digestSchema.safeParse(value).success).toBe(valid);
  });

  it('isDigest rejects non-strings', () => {
    expect(isDigest(42)).toBe(false);
    expect(isDigest(undefined)).toBe(false);
  });

  it('parseDigest says what is wrong', () => {
    expect(parseDigest(sha256Empty)).toBe(sha256Empty);
    try {
      parseDigest(`sha256:${'a'.repeat(10)}`);
      expect.unreachable();
    } catch (error) {
      expect(isInvalidArgument(error)).toBe(true);
      expect((error as Error).message).toContain('sha256 digests have 64 hex characters, got 10');
    }
    expect(() => parseDigest(`sha256:${'A'.repeat(64)}`)).toThrow('lowercase');
  });

  it('splits algorithm and hex', () => {
    expect(digestAlgorithm(sha256Empty)).toBe('sha256');
    expect(digestHex(sha256Empty)).toBe(sha256Empty.slice(7));
  });

  it('digests bytes and strings', () => {
    expect(digestOf('')).toBe(sha256Empty);
    expect(digestOf(new Uint8Array())).toBe(sha256Empty);
    const sha512 = digestOf('abc', 'sha512');
    expect(digestAlgorithm(sha512)).toBe('sha512');
    expect(isDigest(sha512)).toBe(true);
  });
});
