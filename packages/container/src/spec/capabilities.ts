import { InvalidArgumentError } from '@berth/errdefs';

/** Every capability the kernel defines (up to CAP_CHECKPOINT_RESTORE, Linux 5.9). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** The capabilities a docker container gets by default (moby `oci/caps/defaults.go`). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/**
 * `CAP_NET_ADMIN` from `net_admin`, `NET_ADMIN` or `CAP_NET_ADMIN`; `ALL` stays `ALL`.
 * `InvalidArgument` ("unknown capability: …", docker's words) for anything else.
 */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full)) throw new InvalidArgumentError(`unknown capability: "${name}"`);
  return full;
}

/**
 * The capability set of a container, as docker's `TweakCapabilities` computes it:
 * privileged → all; otherwise the defaults, minus `drop` (`ALL` drops every default),
 * plus `add` (`ALL` adds every capability). Adding wins over dropping the same one.
 */
export function tweakCapabilities(options: { add?: readonly string[]; drop?: readonly string[]; privileged?: boolean }): string[] {
  if (options.privileged) return [...ALL_CAPABILITIES];
  const add = (options.add ?? []).map(normalizeCapability);
  const drop = (options.drop ?? []).map(normalizeCapability);
  if (add.includes('ALL')) return [...ALL_CAPABILITIES];
  const base = drop.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c) || add.includes(c));
  const result = [...base];
  for (const cap of add) if (!result.includes(cap)) result.push(cap);
  return result;
}
