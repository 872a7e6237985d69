import { isInvalidArgument } from '@berth/errdefs';
import { defaultPlatform, formatPlatform, normalizePlatform, parsePlatform, platformSchema, type Platform } from '@berth/spec';
import { describe, expect, it } from 'vitest';

const amd64Host: Platform = { os: 'linux', architecture: 'amd64' };

describe('parsePlatform (containerd platforms.Parse)', () => {
  const cases: Array<[string, Platform]> = [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm64', { os: 'linux', architecture: 'arm64' }],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm64/8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm64/v9.0', { os: 'linux', architecture: 'arm64', variant: 'v9' }],
    ['linux/arm64/v8.2', { os: 'linux', architecture: 'arm64', variant: 'v8.2' }],
    ['linux/arm', { os: 'linux', architecture: 'arm' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/arm/7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/armhf', { os: 'linux', architecture: 'arm' }],
    ['linux/armel', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/x86_64', { os: 'linux', architecture: 'amd64' }],
    ['linux/x86-64', { os: 'linux', architecture: 'amd64' }],
    ['linux/amd64/v1', { os: 'linux', architecture: 'amd64' }],
    ['linux/amd64/v3', { os: 'linux', architecture: 'amd64', variant: 'v3' }],
    ['linux/i386', { os: 'linux', architecture: '386' }],
    ['Linux/AMD64', { os: 'linux', architecture: 'amd64' }],
    ['macos/arm64', { os: 'darwin', architecture: 'arm64' }],
    ['linux/s390x', { os: 'linux', architecture: 's390x' }],
    ['linux/ppc64le', { os: 'linux', architecture: 'ppc64le' }],
    ['linux/riscv64', { os: 'linux', architecture: 'riscv64' }],
    ['windows(10.0.17763)/amd64', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763' }],
    [
      'windows(10.0.17763+win32k+foo)/amd64',
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763', 'os.features': ['win32k', 'foo'] },
    ],
    ['windows(10.0%2B1)/amd64', { os: 'windows', architecture: 'amd64', 'os.version': '10.0+1' }],
    // One word: a known OS takes the host's architecture; anything else is an architecture.
    ['linux', { os: 'linux', architecture: 'amd64' }],
    ['windows', { os: 'windows', architecture: 'amd64' }],
    ['arm64', { os: 'linux', architecture: 'arm64' }],
    ['aarch64', { os: 'linux', architecture: 'arm64' }],
    ['armel', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['arm', { os: 'linux', architecture: 'arm' }],
  ];

  it.each(cases)('%s', (specifier, expected) => {
    expect(parsePlatform(specifier, { host: amd64Host })).toEqual(expected);
  });

  it('fills a one-word OS from an arm host, keeping a non-v7 variant', () => {
    expect(parsePlatform('linux', { host: { os: 'linux', architecture: 'arm', variant: 'v6' } })).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v6',
    });
    expect(parsePlatform('linux', { host: { os: 'linux', architecture: 'arm', variant: 'v7' } })).toEqual({
      os: 'linux',
      architecture: 'arm',
    });
    expect(parsePlatform('amd64', { host: { os: 'freebsd', architecture: 'arm64' } })).toEqual({
      os: 'freebsd',
      architecture: 'amd64',
    });
  });

  const rejections: Array<[string, string]> = [
    ['foo', '"foo": unknown operating system or architecture: invalid argument'],
    ['linux/*', '"linux/*": wildcards not yet supported: invalid argument'],
    [
      'linux/',
      '"" is an invalid component of "linux/": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument',
    ],
    [
      'linux/amd 64',
      '"amd 64" is an invalid component of "linux/amd 64": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument',
    ],
    ['linux/amd64/v1/x', '"linux/amd64/v1/x": cannot parse platform specifier: invalid argument'],
    ['', '"" is an invalid OS component of "": OSAndVersion specifier component must match'],
    ['lin.ux/amd64', '"lin.ux" is an invalid OS component of "lin.ux/amd64"'],
  ];

  it.each(rejections)('rejects %j', (specifier, message) => {
    try {
      parsePlatform(specifier, { host: amd64Host });
      expect.unreachable();
    } catch (error) {
      expect(isInvalidArgument(error)).toBe(true);
      expect((error as Error).message.startsWith(message)).toBe(true);
    }
  });
});

describe('formatPlatform', () => {
  it.each<[Platform, string]>([
    [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64/v8'],
    [{ os: 'linux', architecture: 'arm', variant: '' }, 'linux/arm'],
    [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763' }, 'windows/amd64'],
    [{ os: '', architecture: 'amd64' }, 'unknown'],
  ])('%j → %s', (platform, text) => {
    expect(formatPlatform(platform)).toBe(text);
  });

  it('round-trips through parsePlatform', () => {
    for (const text of ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v6', 'linux/386', 'windows/amd64']) {
      expect(formatPlatform(parsePlatform(text))).toBe(text);
    }
  });
});

describe('normalizePlatform (containerd Normalize)', () => {
  it.each<[Platform, Platform]>([
    [{ os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'arm64' }],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'arm64' }],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8.0' }, { os: 'linux', architecture: 'arm64' }],
    [{ os: 'linux', architecture: 'arm64', variant: '9' }, { os: 'linux', architecture: 'arm64', variant: 'v9' }],
    [{ os: 'linux', architecture: 'x86_64' }, { os: 'linux', architecture: 'amd64' }],
    [{ os: 'linux', architecture: 'x86-64', variant: 'v1' }, { os: 'linux', architecture: 'amd64' }],
    [{ os: 'linux', architecture: 'i386', variant: 'x' }, { os: 'linux', architecture: '386' }],
    [{ os: 'linux', architecture: 'armhf' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    [{ os: 'linux', architecture: 'armel' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
    [{ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    [{ os: 'linux', architecture: 'arm', variant: '5' }, { os: 'linux', architecture: 'arm', variant: 'v5' }],
    [{ os: 'LINUX', architecture: 'AMD64' }, { os: 'linux', architecture: 'amd64' }],
    [{ os: 'MacOS', architecture: 'arm64' }, { os: 'darwin', architecture: 'arm64' }],
    [
      { os: 'windows', architecture: 'amd64', 'os.features': ['b', 'a', 'b'] },
      { os: 'windows', architecture: 'amd64', 'os.features': ['a', 'b'] },
    ],
  ])('%j', (input, expected) => {
    expect(normalizePlatform(input)).toEqual(expected);
  });

  it('keeps unknown fields and does not mutate its input', () => {
    const input = { os: 'linux', architecture: 'aarch64', 'os.version': '5.10', extra: 1 };
    expect(normalizePlatform(input)).toEqual({ os: 'linux', architecture: 'arm64', 'os.version': '5.10', extra: 1 });
    expect(input.architecture).toBe('aarch64');
  });

  it('fills an empty OS with the host OS', () => {
    expect(normalizePlatform({ os: '', architecture: 'amd64' }).os).toBe(defaultPlatform().os);
  });
});

describe('defaultPlatform', () => {
  it('describes this host in GOOS/GOARCH terms', () => {
    const platform = defaultPlatform();
    expect(platformSchema.parse(platform)).toEqual(platform);
    expect(platform.os).toBe(process.platform === 'win32' ? 'windows' : process.platform);
    const expectedArchitecture: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };
    if (expectedArchitecture[process.arch]) expect(platform.architecture).toBe(expectedArchitecture[process.arch]);
    if (process.arch === 'arm64') expect(platform.variant).toBe('v8');
    if (process.arch === 'x64') expect(platform.variant).toBeUndefined();
  });

  it('is what a one-word specifier is completed with by default', () => {
    const host = defaultPlatform();
    expect(parsePlatform('linux').architecture).toBe(host.architecture);
  });
});
