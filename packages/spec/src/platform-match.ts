import type { Descriptor } from './descriptor.js';
import type { IndexManifest } from './manifest.js';
import { normalizePlatform, type Platform } from './platform.js';

/** Options of the platform matchers. */
export interface PlatformMatchOptions {
  /**
   * Match only the wanted platform itself (containerd's `OnlyStrict`), not the older
   * platforms it can also run (`Only`, the default: `amd64` runs `386`, `arm64` runs
   * `arm/v8`…`arm/v5`, `arm/v7` runs `arm/v6` and `arm/v5`, `amd64/v3` runs `v2`/`v1`).
   */
  readonly strict?: boolean;
}

/** Go's `strconv.Atoi`, or `undefined` where it would fail. */
function atoi(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

function variantOf(platform: Platform, variant: string): Platform {
  const { variant: _dropped, ...rest } = platform;
  return variant === '' ? rest : { ...rest, variant };
}

/**
 * The platforms a (normalised) platform can run, best first — containerd's
 * `platformVector`. arm64 v9.x also runs v9.{x-1…0} and v8.{x+5 (at most 9)…0}; arm64
 * v8.x runs v8.{x-1…0}; every arm64 runs 32-bit arm up to v8; arm vN runs v{N-1}…v5;
 * amd64 vN runs v{N-1}…v1, and amd64 runs 386.
 */
function compatiblePlatforms(platform: Platform): Platform[] {
  const vector: Platform[] = [platform];
  const variant = platform.variant ?? '';
  switch (platform.architecture) {
    case 'amd64': {
      const version = atoi(variant.replace(/^v/, ''));
      if (version !== undefined && version > 1) {
        for (let v = version - 1; v >= 1; v--) vector.push(variantOf(platform, `v${v}`));
      }
      const { variant: _dropped, ...rest } = platform;
      vector.push({ ...rest, architecture: '386' });
      break;
    }
    case 'arm': {
      const version = atoi(variant.replace(/^v/, ''));
      if (version !== undefined && version > 5) {
        for (let v = version - 1; v >= 5; v--) vector.push(variantOf(platform, `v${v}`));
      }
      break;
    }
    case 'arm64': {
      let armVariant = variant === '' ? 'v8' : variant;
      const dot = armVariant.indexOf('.');
      const majorText = dot === -1 ? armVariant : armVariant.slice(0, dot);
      const minorText = dot === -1 ? '' : armVariant.slice(dot + 1);
      let major = atoi(majorText.replace(/^v/, ''));
      if (major !== undefined && major >= 8) {
        let minor = 0;
        if (armVariant.length === 4 && dot !== -1) minor = atoi(minorText) ?? 0;
        const pushVersions = (fromMinor: number): void => {
          for (let m = fromMinor - 1; m >= 0; m--) {
            vector.push(variantOf(platform, m === 0 ? `v${major}` : `v${major}.${m}`));
          }
        };
        if (major === 9) {
          pushVersions(minor);
          // v9.0 diverged from v8.5: v9.x runs v8.{x+5}, up to v8.9.
          minor = Math.min(minor + 5, 9);
          major = 8;
          vector.push(variantOf(platform, `v8.${minor}`));
        }
        pushVersions(minor);
      }
      if (armVariant.startsWith('v8.') || armVariant.startsWith('v9.')) armVariant = 'v8';
      vector.push(...compatiblePlatforms(variantOf({ ...platform, architecture: 'arm' }, armVariant)));
      break;
    }
  }
  return vector;
}

interface WindowsVersion {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
}

/** `major.minor.build[.revision]`, or `undefined` when unparsable (containerd treats that as "any"). */
function windowsVersion(text: string | undefined): WindowsVersion | undefined {
  const parts = (text ?? '').split('.');
  if (parts.length < 3) return undefined;
  const [major, minor, build] = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN));
  if (!(major! <= 255 && minor! <= 255 && build! <= 65535)) return undefined;
  if (major === 0 && minor === 0 && build === 0) return undefined;
  return { major: major!, minor: minor!, build: build! };
}

// Windows Server 2022; hosts from this build on run containers of older builds down to it.
const windowsStableAbiBuild = 20348;

function windowsHostRuns(host: WindowsVersion, container: WindowsVersion): boolean {
  if (host.major !== container.major || host.minor !== container.minor) return false;
  if (host.build < windowsStableAbiBuild) return host.build === container.build;
  return container.build >= windowsStableAbiBuild && container.build <= host.build;
}

/** containerd's `NewMatcher`: equality of normalised os/architecture/variant, plus OS-feature and Windows-version rules. */
function exactMatcher(wanted: Platform): (candidate: Platform) => boolean {
  const target = normalizePlatform(wanted);
  const hostWindows = target.os === 'windows' ? windowsVersion(target['os.version']) : undefined;
  const targetFeatures = target['os.features'] ?? [];
  return (candidate) => {
    const normalized = normalizePlatform(candidate);
    if (normalized.os !== target.os || normalized.architecture !== target.architecture) return false;
    if ((normalized.variant ?? '') !== (target.variant ?? '')) return false;
    if (hostWindows !== undefined && candidate['os.version']) {
      const containerVersion = windowsVersion(candidate['os.version']);
      if (!windowsHostRuns(hostWindows, containerVersion ?? { major: 0, minor: 0, build: 0 })) return false;
    }
    // The candidate's OS features must all be offered by the wanted platform.
    const features = normalized['os.features'] ?? [];
    return features.every((feature) => targetFeatures.includes(feature));
  };
}

function matchersFor(wanted: Platform, options: PlatformMatchOptions): Array<(candidate: Platform) => boolean> {
  const normalized = normalizePlatform(wanted);
  const platforms = options.strict ? [normalized] : compatiblePlatforms(normalized);
  return platforms.map(exactMatcher);
}

/**
 * Whether an image built for `candidate` can run where `wanted` is required, with
 * containerd's matcher semantics (`platforms.Only`, or `OnlyStrict` with
 * `{ strict: true }`). Both sides are normalised first, so `linux/aarch64` matches
 * `linux/arm64/v8`, and `linux/arm` matches `linux/arm/v7`.
 */
export function platformMatches(wanted: Platform, candidate: Platform, options: PlatformMatchOptions = {}): boolean {
  return matchersFor(wanted, options).some((matches) => matches(candidate));
}

/**
 * A comparator ordering candidates by preference for `wanted` (containerd's
 * `Ordered(…).Less`): exact matches first, then older compatible platforms in order
 * (`arm/v7` before `arm/v6`), then non-matching ones; among equal matches, the one
 * with more OS features first. Use with a stable sort.
 */
export function comparePlatforms(
  wanted: Platform,
  options: PlatformMatchOptions = {},
): (left: Platform, right: Platform) => number {
  const matchers = matchersFor(wanted, options);
  const featureCount = (platform: Platform): number => platform['os.features']?.length ?? 0;
  const less = (left: Platform, right: Platform): boolean => {
    for (const matches of matchers) {
      const leftMatches = matches(left);
      const rightMatches = matches(right);
      if (leftMatches && !rightMatches) return true;
      if (leftMatches || rightMatches) {
        if (leftMatches && rightMatches && featureCount(left) !== featureCount(right)) {
          return featureCount(left) > featureCount(right);
        }
        return false;
      }
    }
    if (featureCount(left) > 0 || featureCount(right) > 0) {
      const { 'os.features': _l, ...leftBare } = left;
      const { 'os.features': _r, ...rightBare } = right;
      return less(leftBare, rightBare);
    }
    return false;
  };
  return (left, right) => (less(left, right) ? -1 : less(right, left) ? 1 : 0);
}

/**
 * The candidate that best runs on `wanted`, or `undefined` when none matches —
 * what containerd picks from a manifest list. Ties keep the candidates' order.
 */
export function bestPlatformMatch<T extends Platform>(
  wanted: Platform,
  candidates: readonly T[],
  options: PlatformMatchOptions = {},
): T | undefined {
  return bestBy(wanted, candidates, (candidate) => candidate, options);
}

function bestBy<T>(
  wanted: Platform,
  items: readonly T[],
  platformOf: (item: T) => Platform,
  options: PlatformMatchOptions,
): T | undefined {
  const matchers = matchersFor(wanted, options);
  const compare = comparePlatforms(wanted, options);
  const matching = items.filter((item) => matchers.some((matches) => matches(platformOf(item))));
  // Array.prototype.sort is stable, so equally good items keep their order.
  return matching.sort((left, right) => compare(platformOf(left), platformOf(right)))[0];
}

/**
 * The manifest of a multi-platform index (OCI index or Docker manifest list) to use
 * on `wanted`, or `undefined` when the index has none for it. Entries without a
 * `platform` (and attestation manifests, whose platform is `unknown/unknown`) never
 * match.
 */
export function selectPlatformManifest(
  index: Pick<IndexManifest, 'manifests'>,
  wanted: Platform,
  options: PlatformMatchOptions = {},
): Descriptor | undefined {
  const withPlatform = index.manifests.filter(
    (descriptor): descriptor is Descriptor & { platform: Platform } => descriptor.platform !== undefined,
  );
  return bestBy(wanted, withPlatform, (descriptor) => descriptor.platform, options);
}
