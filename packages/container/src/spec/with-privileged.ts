import type { LinuxDevice } from '@berth/spec';
import { ALL_CAPABILITIES } from './capabilities.js';
import { readonlyMountOption } from './mount-options.js';
import { linuxOf, resourcesOf, type SpecOption } from './spec-option.js';
import { withCapabilities } from './with-capabilities.js';

/**
 * Makes the container privileged as `docker run --privileged` does: every capability,
 * every host device (`hostDevices`, scanned from the host's /dev by the caller) and
 * access to all devices, /sys and the cgroup mount writable, nothing masked or read-only.
 */
export function withPrivileged(hostDevices: readonly LinuxDevice[] = []): SpecOption {
  return (spec) => {
    withCapabilities(ALL_CAPABILITIES)(spec);
    for (const mount of spec.mounts ?? []) {
      if (mount.destination === '/sys' || mount.type === 'cgroup') {
        mount.options = readonlyMountOption(mount.options ?? [], false);
      }
    }
    const linux = linuxOf(spec);
    linux.maskedPaths = [];
    linux.readonlyPaths = [];
    const known = new Set((linux.devices ?? []).map((d) => d.path));
    linux.devices = [...(linux.devices ?? []), ...hostDevices.filter((d) => !known.has(d.path)).map((d) => ({ ...d }))];
    resourcesOf(spec).devices = [{ allow: true, access: 'rwm' }];
  };
}
