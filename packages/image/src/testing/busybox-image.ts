import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { FailedPreconditionError } from '@berth/errdefs';
import { type ImageConfig, type Platform, defaultPlatform } from '@berth/spec';
import type { Image, ImageIndex, Layer } from '../image.js';
import { appendLayers } from '../mutate/append-layers.js';
import { appendManifests, emptyIndex } from '../mutate/append-manifests.js';
import { configFile } from '../mutate/config.js';
import { empty } from '../mutate/empty.js';
import { type FixtureEntry, fixtureMtime, layerFromEntries } from './fixture-tar.js';

/** Where Debian's busybox-static puts the binary the fixtures are built from. */
export const defaultBusyboxPath = '/bin/busybox';

/** `PATH` of the fixture images, as Docker Hub's busybox sets it. */
export const fixturePath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const created = fixtureMtime.toISOString();

const passwd = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'www-data:x:33:33:www-data:/var/www:/bin/false',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  '',
].join('\n');

const group = ['root:x:0:', 'daemon:x:1:', 'www-data:x:33:', 'nogroup:x:65534:', 'nobody:x:65534:', ''].join('\n');

function busyboxEntries(busyboxPath: string): FixtureEntry[] {
  let size: number;
  let applets: string[];
  try {
    size = statSync(busyboxPath).size;
    applets = execFileSync(busyboxPath, ['--list'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim())
      .filter((name) => name !== '' && name !== 'busybox' && /^[\w.[\]-]+$/.test(name))
      .sort();
  } catch (err) {
    throw new FailedPreconditionError(`the busybox fixtures need a static busybox at ${busyboxPath} (Debian: busybox-static)`, { cause: err });
  }
  const dirs = ['bin', 'dev', 'etc', 'home', 'proc', 'sys', 'usr', 'usr/bin', 'usr/sbin', 'var', 'var/www'];
  return [
    ...dirs.map((path): FixtureEntry => ({ type: 'dir', path })),
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: 'bin/busybox', mode: 0o755, content: { hostPath: busyboxPath, size } },
    ...applets.map((name): FixtureEntry => ({ type: 'symlink', path: `bin/${name}`, target: 'busybox' })),
    { type: 'symlink', path: 'usr/bin/env', target: '/bin/busybox' },
    { type: 'file', path: 'etc/passwd', content: passwd },
    { type: 'file', path: 'etc/group', content: group },
  ];
}

const busyboxLayers = new Map<string, Layer>();

/**
 * The busybox layer, shared by every fixture built from the same binary so its digests are
 * computed once per process.
 */
function busyboxLayer(busyboxPath: string): Layer {
  let layer = busyboxLayers.get(busyboxPath);
  if (!layer) {
    layer = layerFromEntries(busyboxEntries(busyboxPath));
    busyboxLayers.set(busyboxPath, layer);
  }
  return layer;
}

/** Options of the busybox fixtures. */
export interface BusyboxImageOptions {
  /** The static busybox binary to package (default `/bin/busybox`). */
  busyboxPath?: string;
  /** Platform written to the config (default: this machine's; the binary is not changed). */
  platform?: Platform;
}

function withRuntimeDefaults(image: Image): Image {
  return configFile(image, (config): ImageConfig => ({
    ...config,
    created,
    config: { ...config.config, Env: [fixturePath], Cmd: ['sh'] },
  }));
}

/**
 * A busybox image built from the host's static busybox — no image comes from the internet.
 * One gzip layer: `/bin/busybox` with a symlink per applet (`sh`, `ls`, `cat`, `wget`,
 * `httpd`, `nc`, …), `/usr/bin/env`, `/etc/passwd` and `/etc/group` (root, daemon,
 * www-data, nobody), `/tmp` (1777), `/root` (0700); config with `Cmd ["sh"]` and `PATH`.
 * Deterministic: fixed mtimes and ownership, so digests are stable across runs (for a
 * given busybox binary). Throws `FailedPrecondition` when the binary is missing.
 */
export function busyboxImage(options: BusyboxImageOptions = {}): Image {
  const layer = busyboxLayer(options.busyboxPath ?? defaultBusyboxPath);
  const base = empty({ platform: options.platform ?? defaultPlatform() });
  return withRuntimeDefaults(
    appendLayers(base, { layer, history: { created, created_by: `berth testing: ADD busybox applets in /bin` } }),
  );
}

/**
 * What {@link multiLayerImage}'s root filesystem must look like once all layers are
 * applied: for tests of layer apply, diff and snapshotters.
 */
export const multiLayerExpectations = {
  /** Regular files and their content. */
  files: {
    'app/keep.txt': 'keep\n',
    'app/linked.txt': 'linked\n',
    'app/hardlink.txt': 'linked\n',
    'app/config/new.conf': 'new=1\n',
    'etc/motd': 'version 2\n',
  } as Readonly<Record<string, string>>,
  /** Symlinks and their targets. */
  symlinks: { 'app/symlink.txt': 'keep.txt', 'bin/sh': 'busybox' } as Readonly<Record<string, string>>,
  /** Pairs of paths that must be the same inode. */
  hardlinks: [['app/hardlink.txt', 'app/linked.txt']] as readonly (readonly [string, string])[],
  /** Paths that lower layers created and upper layers deleted. */
  absent: ['app/delete-me.txt', 'app/old-dir', 'app/old-dir/nested.txt', 'app/config/old-a.conf', 'app/config/old-b.conf'] as readonly string[],
} as const;

const appLayer = layerFromEntries([
  { type: 'dir', path: 'app' },
  { type: 'file', path: 'app/keep.txt', content: 'keep\n' },
  { type: 'file', path: 'app/delete-me.txt', content: 'delete me\n' },
  { type: 'dir', path: 'app/old-dir' },
  { type: 'file', path: 'app/old-dir/nested.txt', content: 'nested\n' },
  { type: 'dir', path: 'app/config' },
  { type: 'file', path: 'app/config/old-a.conf', content: 'a=1\n' },
  { type: 'file', path: 'app/config/old-b.conf', content: 'b=1\n' },
  { type: 'file', path: 'etc/motd', content: 'version 1\n' },
]);

const changesLayer = layerFromEntries([
  { type: 'dir', path: 'app' },
  { type: 'whiteout', path: 'app/delete-me.txt' },
  { type: 'whiteout', path: 'app/old-dir' },
  { type: 'dir', path: 'app/config' },
  { type: 'opaque', path: 'app/config' },
  { type: 'file', path: 'app/config/new.conf', content: 'new=1\n' },
  // The link target is in the same layer: an applier writing into an overlay upper
  // directory cannot link to a file of a lower layer.
  { type: 'file', path: 'app/linked.txt', content: 'linked\n' },
  { type: 'link', path: 'app/hardlink.txt', target: 'app/linked.txt' },
  { type: 'symlink', path: 'app/symlink.txt', target: 'keep.txt' },
  { type: 'dir', path: 'etc' },
  { type: 'file', path: 'etc/motd', content: 'version 2\n' },
]);

/**
 * Busybox plus two layers that exercise every kind of change (see
 * {@link multiLayerExpectations}): the second adds `/app` files and `/etc/motd`; the third
 * deletes a file and a directory (whiteouts), replaces `/etc/motd`, replaces
 * `/app/config` with an opaque directory, and adds a hard link and a symlink.
 */
export function multiLayerImage(options: BusyboxImageOptions = {}): Image {
  return appendLayers(
    busyboxImage(options),
    { layer: appLayer, history: { created, created_by: 'berth testing: ADD app files' } },
    { layer: changesLayer, history: { created, created_by: 'berth testing: RUN delete, replace, link' } },
  );
}

/** The platforms of {@link multiPlatformIndex}. */
export const fixturePlatforms: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
];

function samePlatform(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/**
 * An OCI image index of busybox for linux/amd64, linux/arm64/v8 and linux/arm/v7. The
 * entry of this machine's platform is {@link busyboxImage} itself; the others reuse its
 * layer under a config naming another architecture (they would not run there — fine for
 * tests of platform selection, pull and push).
 */
export function multiPlatformIndex(options: Omit<BusyboxImageOptions, 'platform'> = {}): ImageIndex {
  const host = defaultPlatform();
  const images = fixturePlatforms.map((platform) => ({
    image: samePlatform(platform, host) ? busyboxImage(options) : busyboxImage({ ...options, platform }),
    platform,
  }));
  return appendManifests(emptyIndex(), ...images);
}
