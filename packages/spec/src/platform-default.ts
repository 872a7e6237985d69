import { endianness } from 'node:os';
import type { Platform } from './platform.js';

/** Node's `process.arch` names → the GOARCH names images use. */
const architectureOfNode: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  ppc: 'ppc',
  riscv64: 'riscv64',
  s390: 's390',
  s390x: 's390x',
};

/** Node's `process.platform` names → the GOOS names images use. */
const osOfNode: Record<string, string> = {
  win32: 'windows',
  sunos: 'solaris',
};

function hostArchitecture(): string {
  if (process.arch === 'ppc64') return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  return architectureOfNode[process.arch] ?? process.arch;
}

function hostVariant(architecture: string): string | undefined {
  if (architecture === 'arm64') return 'v8';
  if (architecture === 'arm') {
    // Node records the ARM version it was built for; v7 is the common case.
    const version = (process.config.variables as Record<string, unknown>)['arm_version'];
    return `v${typeof version === 'string' || typeof version === 'number' ? version : '7'}`;
  }
  return undefined;
}

/**
 * The platform of the running host, as containerd's `DefaultSpec` reports it:
 * GOOS/GOARCH names (`linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`), derived from
 * `process.platform` and `process.arch` only — no files are read.
 */
export function defaultPlatform(): Platform {
  const architecture = hostArchitecture();
  const os = osOfNode[process.platform] ?? process.platform;
  const variant = hostVariant(architecture);
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}
