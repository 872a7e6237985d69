import { InvalidArgumentError } from '@berth/errdefs';
import { linuxOf, type SpecOption } from './spec-option.js';

/** IPC sysctls that are namespaced, so a container may set them (docker's list). */
const ipcSysctls = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/**
 * Checks that every sysctl is namespaced, as docker does: the IPC ones, `fs.mqueue.*`,
 * and `net.*` unless the container shares the host's network namespace.
 * `InvalidArgument` ("sysctl 'x' is not allowed") otherwise.
 */
export function validateSysctls(sysctls: Readonly<Record<string, string>>, options: { hostNetwork?: boolean } = {}): void {
  for (const name of Object.keys(sysctls)) {
    if (ipcSysctls.has(name) || name.startsWith('fs.mqueue.')) continue;
    if (name.startsWith('net.')) {
      if (options.hostNetwork) throw new InvalidArgumentError(`sysctl '${name}' not allowed in host network namespace`);
      continue;
    }
    throw new InvalidArgumentError(`sysctl '${name}' is not allowed`);
  }
}

/** Sets kernel parameters in the container's namespaces; later values win. */
export function withSysctls(sysctls: Readonly<Record<string, string>>): SpecOption {
  return (spec) => {
    const linux = linuxOf(spec);
    linux.sysctl = { ...(linux.sysctl ?? {}), ...sysctls };
  };
}

/**
 * The sysctls docker sets in a container with its own network namespace: any user may
 * ping (ICMP echo sockets) and bind ports below 1024 (the capability is granted anyway).
 */
export function withDefaultNetworkSysctls(): SpecOption {
  return withSysctls({ 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_unprivileged_port_start': '0' });
}
