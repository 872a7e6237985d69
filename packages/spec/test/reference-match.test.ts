import { isInvalidArgument } from '@berth/errdefs';
import { parseReference, referenceMatchesPattern } from '@berth/spec';
import { describe, expect, it } from 'vitest';

describe('referenceMatchesPattern (docker FamiliarMatch)', () => {
  // docker's own table (reference, pattern, expected) plus glob edge cases.
  const cases: Array<[string, string, boolean]> = [
    ['foo', 'foo/**/ba[rz]', false],
    ['foo/any/bat', 'foo/**/ba[rz]', false],
    ['foo/a/bar', 'foo/**/ba[rz]', true],
    ['foo/b/baz', 'foo/**/ba[rz]', true],
    ['foo/c/baz:tag', 'foo/**/ba[rz]', true],
    ['foo/c/baz:tag', 'foo/*/baz:tag', true],
    ['foo/c/baz:tag', 'foo/c/baz:tag', true],
    ['example.com/foo/c/baz:tag', '*/foo/c/baz', true],
    ['example.com/foo/c/baz:tag', 'example.com/foo/c/baz', true],
    ['busybox:latest', 'busy*', true],
    ['busybox:latest', 'busybox', true],
    ['busybox:latest', 'busybox:latest', true],
    ['busybox:latest', 'busybox:1*', false],
    ['busybox:1.36', '*:1.36', true],
    ['user/app:1', '*', false],
    ['user/app:1', '*/*', true],
    ['busybox', 'docker.io/library/busybox', false],
    ['busybox', 'bus?box', true],
    ['busybox', 'b[^x]sybox', true],
    ['busybox', 'b[^u]sybox', false],
    ['busybox', 'b[a-z]sybox', true],
    ['busybox', 'b\\usybox', true],
  ];

  it.each(cases)('%s ~ %s → %s', (reference, pattern, expected) => {
    expect(referenceMatchesPattern(parseReference(reference), pattern)).toBe(expected);
  });

  it.each(['[', 'busy[', '[]a]', 'a\\', '[-a]', '[a-]', '[^'])('rejects the malformed pattern %s', (pattern) => {
    try {
      referenceMatchesPattern(parseReference('busybox'), pattern);
      expect.unreachable();
    } catch (error) {
      expect(isInvalidArgument(error)).toBe(true);
      expect((error as Error).message).toBe('syntax error in pattern');
    }
  });
});
