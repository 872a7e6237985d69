import { type LinuxDeviceCgroup, OCI_RUNTIME_SPEC_VERSION, type RuntimeMount, type RuntimeSpec } from '@berth/spec';
import { DEFAULT_CAPABILITIES } from './capabilities.js';

/** Paths docker hides from a container (a read-only empty tmpfs or /dev/null over them). */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Paths docker makes read-only in a container. */
export const DEFAULT_READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The shm size docker gives /dev/shm when none is asked for: 64 MiB. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** The mounts every container gets (moby `oci/defaults.go`); /dev/shm gets its size later. */
export function defaultMounts(): RuntimeMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777'] },
  ];
}

const charDevice = (major: number | null, minor: number | null, access = 'rwm'): LinuxDeviceCgroup => ({
  allow: true,
  type: 'c',
  major,
  minor,
  access,
});

/**
 * The device cgroup rules of an unprivileged docker container: everything denied, then
 * mknod of any device, and read/write of null, zero, full, random, urandom, tty, console,
 * ptmx, the pts devices and tun.
 */
export function defaultDeviceRules(): LinuxDeviceCgroup[] {
  return [
    { allow: false, access: 'rwm' },
    charDevice(null, null, 'm'),
    { allow: true, type: 'b', major: null, minor: null, access: 'm' },
    charDevice(1, 3),
    charDevice(1, 5),
    charDevice(1, 7),
    charDevice(1, 8),
    charDevice(1, 9),
    charDevice(5, 0),
    charDevice(5, 1),
    charDevice(5, 2),
    charDevice(136, null),
    charDevice(10, 200),
  ];
}

/**
 * Docker's default Linux runtime spec: root process as root in `/`, the default
 * capability set (bounding, effective, permitted — no inheritable, as since docker
 * 20.10.14), mount/network/uts/pid/ipc namespaces (the cgroup namespace stays the host's
 * on cgroup v1, as docker does), default mounts, masked and read-only paths, device
 * rules. No seccomp profile and no rlimits: the container inherits the engine's limits.
 * Everything container-specific is added by spec options.
 */
export function defaultRuntimeSpec(): RuntimeSpec {
  return {
    ociVersion: OCI_RUNTIME_SPEC_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [],
      env: [],
      cwd: '/',
      capabilities: {
        bounding: [...DEFAULT_CAPABILITIES],
        effective: [...DEFAULT_CAPABILITIES],
        permitted: [...DEFAULT_CAPABILITIES],
      },
      noNewPrivileges: false,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: '',
    mounts: defaultMounts(),
    linux: {
      namespaces: [{ type: 'mount' }, { type: 'network' }, { type: 'uts' }, { type: 'pid' }, { type: 'ipc' }],
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
      resources: { devices: defaultDeviceRules() },
      sysctl: {},
    },
  };
}
