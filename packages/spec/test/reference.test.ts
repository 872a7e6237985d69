import { isInvalidArgument } from '@berth/errdefs';
import {
  ImageReference,
  imageReferenceSchema,
  parseAnyReference,
  parseDockerRef,
  parseReference,
} from '@berth/spec';
import { describe, expect, it } from 'vitest';

const hex64 = 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff';
const busyboxDigest = 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';

function rejection(input: string): string {
  try {
    parseReference(input);
  } catch (error) {
    expect(isInvalidArgument(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('parseReference: normalisation like docker', () => {
  // [input, canonical, familiar, domain, path]
  const cases: Array<[string, string, string, string, string]> = [
    ['busybox', 'docker.io/library/busybox', 'busybox', 'docker.io', 'library/busybox'],
    ['busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest', 'docker.io', 'library/busybox'],
    ['busybox:1.36.1-musl', 'docker.io/library/busybox:1.36.1-musl', 'busybox:1.36.1-musl', 'docker.io', 'library/busybox'],
    ['user/repo', 'docker.io/user/repo', 'user/repo', 'docker.io', 'user/repo'],
    ['docker.io/busybox', 'docker.io/library/busybox', 'busybox', 'docker.io', 'library/busybox'],
    ['docker.io/library/busybox', 'docker.io/library/busybox', 'busybox', 'docker.io', 'library/busybox'],
    ['index.docker.io/busybox', 'docker.io/library/busybox', 'busybox', 'docker.io', 'library/busybox'],
    ['index.docker.io/fooo/bar', 'docker.io/fooo/bar', 'fooo/bar', 'docker.io', 'fooo/bar'],
    ['library/ubuntu', 'docker.io/library/ubuntu', 'ubuntu', 'docker.io', 'library/ubuntu'],
    ['library/foo/bar', 'docker.io/library/foo/bar', 'library/foo/bar', 'docker.io', 'library/foo/bar'],
    ['store/foo/bar', 'docker.io/store/foo/bar', 'store/foo/bar', 'docker.io', 'store/foo/bar'],
    ['other/library', 'docker.io/other/library', 'other/library', 'docker.io', 'other/library'],
    ['ubuntu-12.04-base', 'docker.io/library/ubuntu-12.04-base', 'ubuntu-12.04-base', 'docker.io', 'library/ubuntu-12.04-base'],
    ['localhost/foo', 'localhost/foo', 'localhost/foo', 'localhost', 'foo'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b:tag', 'localhost:5000/a/b:tag', 'localhost:5000', 'a/b'],
    ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase', '127.0.0.1:8000', 'private/moonbase'],
    ['192.168.0.1:8/debian', '192.168.0.1:8/debian', '192.168.0.1:8/debian', '192.168.0.1:8', 'debian'],
    ['example.com/privatebase', 'example.com/privatebase', 'example.com/privatebase', 'example.com', 'privatebase'],
    ['example.com:8000/private/moonbase', 'example.com:8000/private/moonbase', 'example.com:8000/private/moonbase', 'example.com:8000', 'private/moonbase'],
    ['test.com:8080/foo', 'test.com:8080/foo', 'test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080/foo', 'test-com:8080/foo', 'test-com:8080', 'foo'],
    ['test_com/foo', 'docker.io/test_com/foo', 'test_com/foo', 'docker.io', 'test_com/foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080/foo', 'xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com', 'bar/baz/quux'],
    ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io', 'test.example.com/my-app'],
    ['[::1]:5000/repo', '[::1]:5000/repo', '[::1]:5000/repo', '[::1]:5000', 'repo'],
    ['[2001:db8::1]/repo', '[2001:db8::1]/repo', '[2001:db8::1]/repo', '[2001:db8::1]', 'repo'],
    ['[fc00:1:2:3:4:5:6:7]:5000/library/debian', '[fc00:1:2:3:4:5:6:7]:5000/library/debian', '[fc00:1:2:3:4:5:6:7]:5000/library/debian', '[fc00:1:2:3:4:5:6:7]:5000', 'library/debian'],
    // An uppercase first component can only be a domain: paths are lowercase.
    ['Docker/docker', 'Docker/docker', 'Docker/docker', 'Docker', 'docker'],
    ['FOO/bar', 'FOO/bar', 'FOO/bar', 'FOO', 'bar'],
    ['LOCALHOST/foo', 'LOCALHOST/foo', 'LOCALHOST/foo', 'LOCALHOST', 'foo'],
    // Single components are always Docker Hub names: "localhost:5000" is image localhost, tag 5000.
    ['localhost', 'docker.io/library/localhost', 'localhost', 'docker.io', 'library/localhost'],
    ['localhost:5000', 'docker.io/library/localhost:5000', 'localhost:5000', 'docker.io', 'library/localhost'],
    ['lowercase:Uppercase', 'docker.io/library/lowercase:Uppercase', 'lowercase:Uppercase', 'docker.io', 'library/lowercase'],
    ['dock__er/docker', 'docker.io/dock__er/docker', 'dock__er/docker', 'docker.io', 'dock__er/docker'],
    ['docker---rules/docker', 'docker.io/docker---rules/docker', 'docker---rules/docker', 'docker.io', 'docker---rules/docker'],
    ['d/docker', 'docker.io/d/docker', 'd/docker', 'docker.io', 'd/docker'],
    // 63 hex characters are a name, not an ID; IDs with a domain are names too.
    ['dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9', 'docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9', 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9', 'docker.io', 'library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9'],
    ['docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'docker.io', 'library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a'],
    [`busybox@${busyboxDigest}`, `docker.io/library/busybox@${busyboxDigest}`, `busybox@${busyboxDigest}`, 'docker.io', 'library/busybox'],
    [`busybox:latest@${busyboxDigest}`, `docker.io/library/busybox:latest@${busyboxDigest}`, `busybox:latest@${busyboxDigest}`, 'docker.io', 'library/busybox'],
    [`test:5000/repo:tag@sha256:${hex64}`, `test:5000/repo:tag@sha256:${hex64}`, `test:5000/repo:tag@sha256:${hex64}`, 'test:5000', 'repo'],
    [`xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`, `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`, `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`, 'xn--7o8h.com', 'myimage'],
    // Docker's quirk: a dotted first component that is not a valid domain parses as a path.
    ['foo_bar.com/x', 'foo_bar.com/x', 'foo_bar.com/x', '', 'foo_bar.com/x'],
  ];

  it.each(cases)('%s', (input, canonical, familiar, domain, path) => {
    const reference = parseReference(input);
    expect(reference.toString()).toBe(canonical);
    expect(reference.familiar).toBe(familiar);
    expect(reference.domain).toBe(domain);
    expect(reference.path).toBe(path);
    // The canonical and familiar forms parse back to the same reference — except a
    // familiar 64-hex name, which docker reads as an image ID and refuses.
    expect(parseReference(canonical).equals(reference)).toBe(true);
    if (/^[a-f0-9]{64}$/.test(familiar)) expect(() => parseReference(familiar)).toThrow('64-byte hexadecimal');
    else expect(parseReference(familiar).equals(reference)).toBe(true);
  });

  it('separates tag and digest', () => {
    const tagged = parseReference('localhost:5000/a/b:v1');
    expect(tagged.tag).toBe('v1');
    expect(tagged.digest).toBeUndefined();
    const both = parseReference(`busybox:latest@${busyboxDigest}`);
    expect(both.tag).toBe('latest');
    expect(both.digest).toBe(busyboxDigest);
    const digested = parseReference(`busybox@${busyboxDigest}`);
    expect(digested.tag).toBeUndefined();
    expect(digested.digest).toBe(busyboxDigest);
  });

  it('gives name and familiarName without tag or digest', () => {
    const reference = parseReference('busybox:1.36');
    expect(reference.name).toBe('docker.io/library/busybox');
    expect(reference.familiarName).toBe('busybox');
    expect(parseReference('localhost:5000/a/b:tag').familiarName).toBe('localhost:5000/a/b');
    expect(parseReference('docker.io/library/foo/bar').familiarName).toBe('library/foo/bar');
  });

  it('accepts a 255-character path and a long tag beyond it', () => {
    const path = `${'a/'.repeat(127)}a`;
    const reference = parseReference(`${path}:tag-puts-this-over-max`);
    expect(reference.path).toBe(path);
    expect(reference.tag).toBe('tag-puts-this-over-max');
    expect(parseReference(`busybox:${'t'.repeat(128)}`).tag).toHaveLength(128);
  });
});

describe('parseReference: rejections with docker messages', () => {
  const cases: Array<[string, string]> = [
    ['', 'invalid reference format'],
    [':justtag', 'invalid reference format'],
    [`@sha256:${hex64}`, 'invalid reference format'],
    ['busybox:', 'invalid reference format'],
    ['busybox:-x', 'invalid reference format'],
    ['busybox:.x', 'invalid reference format'],
    [`busybox:${'t'.repeat(129)}`, 'invalid reference format'],
    ['busybox:a/b', 'invalid reference format'],
    ['https://github.com/docker/docker', 'invalid reference format'],
    ['-docker', 'invalid reference format'],
    ['-docker/docker', 'invalid reference format'],
    ['docker-/docker', 'invalid reference format'],
    ['-docker.io/docker/docker', 'invalid reference format'],
    ['docker///docker', 'invalid reference format'],
    ['docker.io/docker///docker', 'invalid reference format'],
    ['____/____', 'invalid reference format'],
    ['_docker/_docker', 'invalid reference format'],
    ['dock..er/docker', 'invalid reference format'],
    ['dock_.er/docker', 'invalid reference format'],
    ['dock-.er/docker', 'invalid reference format'],
    ['docker/', 'invalid reference format'],
    ['aa/asdf$$^/aa', 'invalid reference format'],
    ['a b', 'invalid reference format'],
    ['[fc00::1]', 'invalid reference format'],
    ['[fc00::1]:5000', 'invalid reference format'],
    ['fc00::1:5000/debian', 'invalid reference format'],
    ['[fe80::1%eth0]:5000/debian', 'invalid reference format'],
    ['[2001:db8:3:4::192.0.2.33]:5000/debian', 'invalid reference format'],
    ['busybox@sha256:abc', 'invalid reference format'],
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['Uppercase:tag', 'invalid reference format: repository name (library/Uppercase) must be lowercase'],
    ['docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    ['docker.io/docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'invalid reference format: repository name (Uppercase/lowercase) must be lowercase'],
    // An uppercase domain that is otherwise malformed: the lowercase spelling would parse.
    ['FOO_X/bar', 'repository name must be lowercase'],
    [hex64, `invalid repository name (${hex64}), cannot specify 64-byte hexadecimal strings`],
    [`${'a/'.repeat(128)}a:tag`, 'repository name must not be more than 255 characters'],
    [
      'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker',
      'repository name must not be more than 255 characters',
    ],
    [`repo@sha256:${'f'.repeat(34)}`, 'invalid checksum digest length'],
    [`repo@sha512:${'f'.repeat(64)}`, 'invalid checksum digest length'],
    [`validname@invaliddigest:${hex64}`, 'unsupported digest algorithm'],
    [`repo@sha256:${'F'.repeat(64)}`, 'invalid checksum digest format'],
    [`repo@SHA256:${hex64}`, 'invalid reference format: repository name (library/repo@SHA256) must be lowercase'],
  ];

  it.each(cases)('%s', (input, message) => {
    expect(rejection(input)).toBe(message);
  });

  it('carries the input in details', () => {
    try {
      parseReference('Busybox');
      expect.unreachable();
    } catch (error) {
      expect((error as { details?: unknown }).details).toEqual({ reference: 'Busybox' });
    }
  });

  it('stays fast on long adversarial input', () => {
    for (const input of ['a'.repeat(100_000) + '!', 'a.'.repeat(50_000) + '!', `${'a-'.repeat(50_000)}/!`]) {
      expect(() => parseReference(input)).toThrow('invalid reference format');
    }
  });
});

describe('ImageReference helpers', () => {
  it('withDefaultTag adds latest only to bare names', () => {
    expect(parseReference('busybox').withDefaultTag().toString()).toBe('docker.io/library/busybox:latest');
    expect(parseReference('busybox:1').withDefaultTag().toString()).toBe('docker.io/library/busybox:1');
    expect(parseReference(`busybox@${busyboxDigest}`).withDefaultTag().toString()).toBe(
      `docker.io/library/busybox@${busyboxDigest}`,
    );
  });

  it('withTag and withDigest validate and keep the other part', () => {
    const base = parseReference(`busybox@${busyboxDigest}`);
    expect(base.withTag('v2').toString()).toBe(`docker.io/library/busybox:v2@${busyboxDigest}`);
    expect(() => base.withTag('-foo')).toThrow('invalid tag format');
    const tagged = parseReference('busybox:v1');
    expect(tagged.withDigest(busyboxDigest).familiar).toBe(`busybox:v1@${busyboxDigest}`);
    expect(() => tagged.withDigest('foo')).toThrow('invalid digest format');
    expect(() => tagged.withDigest(`sha256:${'a'.repeat(40)}`)).toThrow('invalid checksum digest length');
  });

  it('withoutTagOrDigest trims to the repository', () => {
    expect(parseReference(`a.io/x:1@${busyboxDigest}`).withoutTagOrDigest().toString()).toBe('a.io/x');
  });

  it('toDockerRef keeps only the digest when both are present (ParseDockerRef)', () => {
    expect(parseDockerRef(`busybox:latest@${busyboxDigest}`).toString()).toBe(
      `docker.io/library/busybox@${busyboxDigest}`,
    );
    expect(parseDockerRef('busybox').toString()).toBe('docker.io/library/busybox:latest');
    expect(parseDockerRef('busybox:1').toString()).toBe('docker.io/library/busybox:1');
  });

  it('fromParts validates each part without normalising', () => {
    const reference = ImageReference.fromParts({ domain: 'localhost:5000', path: 'a/b', tag: 'v1' });
    expect(reference.toString()).toBe('localhost:5000/a/b:v1');
    expect(ImageReference.fromParts({ domain: '', path: 'busybox' }).toString()).toBe('busybox');
    expect(() => ImageReference.fromParts({ domain: 'bad_domain', path: 'x' })).toThrow('invalid reference format');
    expect(() => ImageReference.fromParts({ domain: 'a.io', path: 'Upper' })).toThrow('invalid reference format');
    expect(() => ImageReference.fromParts({ domain: 'a.io', path: 'x', tag: '' })).toThrow('invalid tag format');
    expect(() => ImageReference.fromParts({ domain: 'a.io', path: 'a'.repeat(256) })).toThrow(
      'repository name must not be more than 255 characters',
    );
  });

  it('serialises as its canonical string', () => {
    expect(JSON.stringify({ image: parseReference('busybox:1') })).toBe('{"image":"docker.io/library/busybox:1"}');
    expect(`${parseReference('user/app')}`).toBe('docker.io/user/app');
  });

  it('isNameOnly tells bare names apart', () => {
    expect(parseReference('busybox').isNameOnly).toBe(true);
    expect(parseReference('busybox:1').isNameOnly).toBe(false);
  });
});

describe('parseAnyReference', () => {
  const id = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';

  it('reads 64 hex characters and sha256 digests as IDs', () => {
    expect(parseAnyReference(id)).toEqual({ kind: 'digest', digest: `sha256:${id}` });
    expect(parseAnyReference(`sha256:${id}`)).toEqual({ kind: 'digest', digest: `sha256:${id}` });
  });

  it('reads everything else as a name', () => {
    const short = parseAnyReference('dbcc1');
    expect(short.kind === 'named' && short.reference.toString()).toBe('docker.io/library/dbcc1');
    const named = parseAnyReference(`redis@sha256:${id}`);
    expect(named.kind === 'named' && named.reference.toString()).toBe(`docker.io/library/redis@sha256:${id}`);
    const hex63 = parseAnyReference(id.slice(0, 63));
    expect(hex63.kind).toBe('named');
  });

  it('rejects malformed names', () => {
    expect(() => parseAnyReference('UPPER')).toThrow('must be lowercase');
  });
});

describe('imageReferenceSchema', () => {
  it('parses into an ImageReference', () => {
    const reference = imageReferenceSchema.parse('busybox:1');
    expect(reference).toBeInstanceOf(ImageReference);
    expect(reference.familiar).toBe('busybox:1');
  });

  it('reports docker messages as issues', () => {
    const result = imageReferenceSchema.safeParse('Busybox');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      'invalid reference format: repository name (library/Busybox) must be lowercase',
    );
  });
});
