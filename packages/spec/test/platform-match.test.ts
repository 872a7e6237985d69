import {
  bestPlatformMatch,
  comparePlatforms,
  MediaTypes,
  parsePlatform,
  platformMatches,
  selectPlatformManifest,
  type Descriptor,
  type Platform,
} from '@berth/spec';
import { describe, expect, it } from 'vitest';

const p = (specifier: string): Platform => parsePlatform(specifier, { host: { os: 'linux', architecture: 'amd64' } });

// containerd's compare_test.go tables: wanted → [matches, does not match].
const onlyTable: Array<[string, string[], string[]]> = [
  ['linux/amd64', ['linux/amd64', 'linux/386'], ['linux/amd64/v2', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  [
    'linux/amd64/v2',
    ['linux/amd64', 'linux/amd64/v1', 'linux/amd64/v2', 'linux/386'],
    ['linux/amd64/v3', 'linux/amd64/v4', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  ['linux/386', ['linux/386'], ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  ['windows/amd64', ['windows/amd64', 'windows(10.0.17763)/amd64'], ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm']],
  [
    'linux/arm/v8',
    ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8'],
    ['linux/amd64', 'linux/arm/v4', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/arm/v7',
    ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7'],
    ['linux/amd64', 'linux/arm/v4', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/arm/v6',
    ['linux/arm/v5', 'linux/arm/v6'],
    ['linux/amd64', 'linux/arm', 'linux/arm/v4', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/arm/v5',
    ['linux/arm/v5'],
    ['linux/amd64', 'linux/arm', 'linux/arm/v4', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/arm/v4',
    ['linux/arm/v4'],
    ['linux/amd64', 'linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/arm64/v9',
    [
      'linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8',
      'linux/arm64/v8.1', 'linux/arm64/v8.2', 'linux/arm64/v8.3', 'linux/arm64/v8.4', 'linux/arm64/v8.5',
      'linux/arm64/v9', 'linux/arm64/v9.0',
    ],
    ['linux/amd64', 'linux/arm/v4', 'windows/amd64', 'windows/arm', 'linux/arm64/v8.6'],
  ],
  [
    'linux/arm64/v8.1',
    ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8', 'linux/arm64/v8.1'],
    ['linux/amd64', 'linux/arm/v4', 'linux/arm/v9', 'linux/arm64/v9', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/arm64',
    ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8'],
    ['linux/amd64', 'linux/arm/v4', 'linux/arm/v9', 'linux/arm64/v9', 'windows/amd64', 'windows/arm'],
  ],
]; // prettier-ignore

const strictTable: Array<[string, string[], string[]]> = [
  ['linux/amd64', ['linux/amd64'], ['linux/386', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  ['windows(10.0.17763)/amd64', ['windows/amd64', 'windows(10.0.17763)/amd64'], ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm']],
  ['linux/arm/v8', ['linux/arm/v8'], ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64']],
  ['linux/arm/v7', ['linux/arm', 'linux/arm/v7'], ['linux/arm/v5', 'linux/arm/v6', 'linux/arm/v8', 'linux/arm64']],
  ['linux/arm64/v9', ['linux/arm64/v9', 'linux/arm64/v9.0'], ['linux/arm/v8', 'linux/arm64/v8', 'linux/arm64/v8.1']],
  ['linux/arm64/v8.1', ['linux/arm64/v8.1'], ['linux/arm64/v8', 'linux/arm64/v9', 'linux/arm/v7']],
  ['linux/arm64', ['linux/arm64', 'linux/arm64/v8'], ['linux/arm', 'linux/arm/v8', 'linux/arm64/v9']],
]; // prettier-ignore

describe('platformMatches (containerd Only)', () => {
  for (const [wanted, matching, notMatching] of onlyTable) {
    it(`${wanted}`, () => {
      for (const candidate of matching) expect([candidate, platformMatches(p(wanted), p(candidate))]).toEqual([candidate, true]);
      for (const candidate of notMatching) expect([candidate, platformMatches(p(wanted), p(candidate))]).toEqual([candidate, false]);
    });
  }

  it('normalises both sides', () => {
    expect(platformMatches({ os: 'Linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true);
    expect(platformMatches({ os: 'linux', architecture: 'x86_64' }, { os: 'linux', architecture: 'i386' })).toBe(true);
  });

  it('requires candidate OS features to be a subset of the wanted ones', () => {
    const wanted: Platform = { os: 'windows', architecture: 'amd64', 'os.features': ['win32k', 'a'] };
    expect(platformMatches(wanted, { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] })).toBe(true);
    expect(platformMatches(wanted, { os: 'windows', architecture: 'amd64' })).toBe(true);
    expect(platformMatches(wanted, { os: 'windows', architecture: 'amd64', 'os.features': ['other'] })).toBe(false);
  });

  it('applies Windows build compatibility', () => {
    const ltsc2019: Platform = { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' };
    expect(platformMatches(ltsc2019, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5' })).toBe(true);
    expect(platformMatches(ltsc2019, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' })).toBe(false);
    const host2025: Platform = { os: 'windows', architecture: 'amd64', 'os.version': '10.0.26100.1' };
    expect(platformMatches(host2025, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' })).toBe(true);
    expect(platformMatches(host2025, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' })).toBe(false);
  });
});

describe('platformMatches strict (containerd OnlyStrict)', () => {
  for (const [wanted, matching, notMatching] of strictTable) {
    it(`${wanted}`, () => {
      for (const candidate of matching) {
        expect([candidate, platformMatches(p(wanted), p(candidate), { strict: true })]).toEqual([candidate, true]);
      }
      for (const candidate of notMatching) {
        expect([candidate, platformMatches(p(wanted), p(candidate), { strict: true })]).toEqual([candidate, false]);
      }
    });
  }
});

describe('comparePlatforms and bestPlatformMatch', () => {
  it('orders exact matches first, then older compatible platforms, then the rest', () => {
    const candidates = ['linux/arm/v5', 'windows/amd64', 'linux/arm/v6', 'linux/arm64', 'linux/arm/v7'].map(p);
    const sorted = [...candidates].sort(comparePlatforms(p('linux/arm64')));
    expect(sorted.map((platform) => `${platform.os}/${platform.architecture}/${platform.variant ?? ''}`)).toEqual([
      'linux/arm64/',
      'linux/arm/v7',
      'linux/arm/v6',
      'linux/arm/v5',
      'windows/amd64/',
    ]);
  });

  it('picks the best candidate, or none', () => {
    const candidates = [p('linux/386'), p('linux/arm64'), p('linux/amd64')];
    expect(bestPlatformMatch(p('linux/amd64'), candidates)).toBe(candidates[2]);
    expect(bestPlatformMatch(p('linux/amd64'), [p('linux/386')])).toEqual(p('linux/386'));
    expect(bestPlatformMatch(p('linux/amd64'), [p('linux/386')], { strict: true })).toBeUndefined();
    expect(bestPlatformMatch(p('linux/s390x'), candidates)).toBeUndefined();
  });

  it('prefers the candidate with more OS features among equals, else keeps order', () => {
    const wanted: Platform = { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] };
    const plain: Platform = { os: 'windows', architecture: 'amd64' };
    const featured: Platform = { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] };
    expect(bestPlatformMatch(wanted, [plain, featured])).toBe(featured);
    const first: Platform = { os: 'linux', architecture: 'amd64' };
    const second: Platform = { os: 'linux', architecture: 'amd64' };
    expect(bestPlatformMatch(p('linux/amd64'), [first, second])).toBe(first);
  });
});

describe('selectPlatformManifest', () => {
  const descriptor = (digestChar: string, platform?: Platform): Descriptor => ({
    mediaType: MediaTypes.OciManifest,
    digest: `sha256:${digestChar.repeat(64)}`,
    size: 100,
    ...(platform ? { platform } : {}),
  });

  it('selects the manifest for the wanted platform from a manifest list', () => {
    const index = {
      manifests: [
        descriptor('a', { os: 'linux', architecture: 'amd64' }),
        descriptor('b', { os: 'linux', architecture: 'arm', variant: 'v6' }),
        descriptor('c', { os: 'linux', architecture: 'arm', variant: 'v7' }),
        descriptor('d', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
        descriptor('e', { os: 'unknown', architecture: 'unknown' }),
        descriptor('f'),
      ],
    };
    expect(selectPlatformManifest(index, p('linux/amd64'))?.digest).toBe(`sha256:${'a'.repeat(64)}`);
    expect(selectPlatformManifest(index, p('linux/arm64'))?.digest).toBe(`sha256:${'d'.repeat(64)}`);
    expect(selectPlatformManifest(index, p('linux/arm/v7'))?.digest).toBe(`sha256:${'c'.repeat(64)}`);
    expect(selectPlatformManifest(index, p('linux/arm/v6'))?.digest).toBe(`sha256:${'b'.repeat(64)}`);
    expect(selectPlatformManifest(index, p('linux/arm/v5'))).toBeUndefined();
    expect(selectPlatformManifest(index, p('linux/386'))).toBeUndefined();
  });

  it('falls back to a 32-bit arm image on arm64', () => {
    const index = { manifests: [descriptor('b', { os: 'linux', architecture: 'arm', variant: 'v7' })] };
    expect(selectPlatformManifest(index, p('linux/arm64'))?.digest).toBe(`sha256:${'b'.repeat(64)}`);
    expect(selectPlatformManifest(index, p('linux/arm64'), { strict: true })).toBeUndefined();
  });
});
