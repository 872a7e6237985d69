import { InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';
import { defaultPlatform } from './platform-default.js';

/** A platform as OCI descriptors and image configs carry it. */
export const platformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
  features: z.array(z.string()).optional(),
});

/** A platform: os, architecture and optional variant. */
export type Platform = z.infer<typeof platformSchema>;

// The operating systems and architectures Go knows (go/build/syslist.go); a one-word
// specifier is an OS when it is in the first list, else an architecture from the second.
const knownOperatingSystems = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl',
  'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]); // prettier-ignore
const knownArchitectures = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips',
  'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x',
  'sparc', 'sparc64', 'wasm',
]); // prettier-ignore

const specifierComponent = /^[A-Za-z0-9_.-]+$/;
const osComponent = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;

function invalidPlatform(message: string, specifier: string): InvalidArgumentError {
  // containerd wraps its errdefs.ErrInvalidArgument; Docker shows the suffix.
  return new InvalidArgumentError(`${message}: invalid argument`, { details: { platform: specifier } });
}

function normalizeOs(os: string, host: () => Platform): string {
  if (os === '') return host().os;
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/**
 * Normalises an architecture and variant the way containerd does: `aarch64` → `arm64`
 * (variant `v8` dropped, `v9.0` → `v9`), `x86_64`/`x86-64` → `amd64` (`v1` dropped),
 * `i386` → `386`, `armhf` → `arm/v7`, `armel` → `arm/v6`, bare `arm` → `arm/v7`.
 */
function normalizeArchitecture(architecture: string, variant: string): [string, string] {
  let arch = architecture.toLowerCase();
  let vari = variant.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      vari = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (vari === 'v1') vari = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (vari === '8' || vari === 'v8' || vari === 'v8.0') vari = '';
      else if (vari === '9' || vari === '9.0' || vari === 'v9.0') vari = 'v9';
      break;
    case 'armhf':
      arch = 'arm';
      vari = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      vari = 'v6';
      break;
    case 'arm':
      if (vari === '' || vari === '7') vari = 'v7';
      else if (vari === '5' || vari === '6' || vari === '8') vari = `v${vari}`;
      break;
  }
  return [arch, vari];
}

function withVariant<T extends Platform>(platform: T, variant: string): T {
  const copy = { ...platform };
  if (variant === '') delete copy.variant;
  else copy.variant = variant;
  return copy;
}

/**
 * The canonical form of a platform (containerd's `Normalize`): OS lowercased
 * (`macos` → `darwin`; empty → the host's), architecture and variant normalised
 * (see the table in the package README: `aarch64` → `arm64`, `armhf` → `arm/v7`, …),
 * `os.features` sorted and de-duplicated. Other fields are kept. Two platforms are the
 * same platform when their normalised forms are equal; `linux/arm` normalises to
 * `linux/arm/v7` and `linux/arm64/v8` to `linux/arm64`.
 */
export function normalizePlatform<T extends Platform>(platform: T): T {
  const [architecture, variant] = normalizeArchitecture(platform.architecture, platform.variant ?? '');
  const normalized = withVariant({ ...platform, os: normalizeOs(platform.os, defaultPlatform), architecture }, variant);
  const features = platform['os.features'];
  if (features !== undefined && features.length > 0) {
    normalized['os.features'] = [...new Set(features)].sort();
  }
  return normalized;
}

function decodeOsOption(value: string, specifier: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalidPlatform(`${JSON.stringify(specifier)} has an invalid OS option ${JSON.stringify(value)}`, specifier);
  }
}

/** Options of {@link parsePlatform}. */
export interface ParsePlatformOptions {
  /** The platform that fills in what a one-word specifier leaves out; defaults to {@link defaultPlatform}. */
  readonly host?: Platform;
}

/**
 * Parses a platform specifier as Docker's `--platform` flag does (containerd's
 * `platforms.Parse`): `<os>`, `<arch>`, `<os>/<arch>` or `<os>/<arch>/<variant>`,
 * where `<os>` may carry a version and features, `windows(10.0.17763+win32k)`.
 * A single word is an OS when Go knows it as one (the architecture is then the
 * host's), otherwise an architecture (the OS is then the host's). Architectures are
 * normalised (`aarch64` → `arm64`); `linux/arm` keeps no variant and
 * `linux/arm64/v8` keeps `v8`, as containerd keeps them. Throws `InvalidArgument`
 * with containerd's message for malformed or unknown specifiers.
 */
export function parsePlatform(specifier: string, options: ParsePlatformOptions = {}): Platform {
  const host = (): Platform => options.host ?? defaultPlatform();
  const quoted = JSON.stringify(specifier);
  if (specifier.includes('*')) throw invalidPlatform(`${quoted}: wildcards not yet supported`, specifier);

  // At most four parts, as containerd splits (a fourth part makes the specifier invalid).
  const slashes = specifier.split('/');
  const parts = slashes.length > 4 ? [...slashes.slice(0, 3), slashes.slice(3).join('/')] : slashes;

  const osMatch = osComponent.exec(parts[0]!);
  if (!osMatch) {
    throw invalidPlatform(
      `${JSON.stringify(parts[0])} is an invalid OS component of ${quoted}: OSAndVersion specifier component must match ${JSON.stringify(osComponent.source)}`,
      specifier,
    );
  }
  for (const part of parts.slice(1)) {
    if (!specifierComponent.test(part)) {
      throw invalidPlatform(
        `${JSON.stringify(part)} is an invalid component of ${quoted}: platform specifier component must match ${JSON.stringify(specifierComponent.source)}`,
        specifier,
      );
    }
  }
  const os = normalizeOs(osMatch[1]!, host);
  const platform: Platform = { os, architecture: '' };
  const osVersion = decodeOsOption(osMatch[2] ?? '', specifier);
  if (osVersion !== '') platform['os.version'] = osVersion;
  if (osMatch[3]) platform['os.features'] = osMatch[3].slice(1).split('+').map((f) => decodeOsOption(f, specifier));

  switch (parts.length) {
    case 1: {
      if (knownOperatingSystems.has(os)) {
        const hostPlatform = host();
        platform.architecture = hostPlatform.architecture;
        // containerd leaves arm's common v7 implicit.
        if (hostPlatform.architecture === 'arm' && hostPlatform.variant && hostPlatform.variant !== 'v7') {
          platform.variant = hostPlatform.variant;
        }
        return platform;
      }
      const [architecture, variant] = normalizeArchitecture(parts[0]!, '');
      if (!knownArchitectures.has(architecture)) {
        throw invalidPlatform(`${quoted}: unknown operating system or architecture`, specifier);
      }
      platform.os = host().os;
      platform.architecture = architecture;
      return architecture === 'arm' && variant === 'v7' ? platform : withVariant(platform, variant);
    }
    case 2: {
      const [architecture, variant] = normalizeArchitecture(parts[1]!, '');
      platform.architecture = architecture;
      return architecture === 'arm' && variant === 'v7' ? platform : withVariant(platform, variant);
    }
    case 3: {
      const [architecture, variant] = normalizeArchitecture(parts[1]!, parts[2]!);
      platform.architecture = architecture;
      return withVariant(platform, architecture === 'arm64' && variant === '' ? 'v8' : variant);
    }
    default:
      throw invalidPlatform(`${quoted}: cannot parse platform specifier`, specifier);
  }
}

/**
 * Formats a platform as a specifier, `os/architecture[/variant]` (containerd's
 * `Format`; OS version and features are not included). A platform without OS
 * formats as `unknown`.
 */
export function formatPlatform(platform: Pick<Platform, 'os' | 'architecture' | 'variant'>): string {
  if (!platform.os) return 'unknown';
  return [platform.os, platform.architecture, platform.variant ?? ''].filter((part) => part !== '').join('/');
}
