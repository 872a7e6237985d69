import { z } from 'zod';

// The `linux` section of the OCI runtime spec (config-linux.md). Every object is
// loose: fields this package does not model survive a parse, so a spec read from disk
// and written back loses nothing.

const int = z.number().int();
const uint = z.number().int().nonnegative();

/** The Linux namespace kinds of the runtime spec. */
export const LINUX_NAMESPACE_TYPES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const;

/** One of {@link LINUX_NAMESPACE_TYPES}. */
export type LinuxNamespaceType = (typeof LINUX_NAMESPACE_TYPES)[number];

/** A namespace the container gets: a new one, or (with `path`) an existing one joined. */
export const linuxNamespaceSchema = z.looseObject({
  type: z.enum(LINUX_NAMESPACE_TYPES),
  path: z.string().optional(),
});
/** A namespace entry of `linux.namespaces`. */
export type LinuxNamespace = z.infer<typeof linuxNamespaceSchema>;

/** A user-namespace ID mapping: `size` IDs from `containerID` map to `hostID`. */
export const linuxIdMappingSchema = z.looseObject({
  containerID: uint,
  hostID: uint,
  size: uint,
});
/** An entry of `linux.uidMappings` / `linux.gidMappings` (and of idmapped mounts). */
export type LinuxIdMapping = z.infer<typeof linuxIdMappingSchema>;

/** A device node the runtime creates inside the container. */
export const linuxDeviceSchema = z.looseObject({
  type: z.string(),
  path: z.string(),
  major: int.optional(),
  minor: int.optional(),
  fileMode: uint.optional(),
  uid: uint.optional(),
  gid: uint.optional(),
});
/** An entry of `linux.devices`. */
export type LinuxDevice = z.infer<typeof linuxDeviceSchema>;

/** A device cgroup rule: allow or deny `access` (`rwm`) to devices of a type and number. */
export const linuxDeviceCgroupSchema = z.looseObject({
  allow: z.boolean(),
  type: z.string().optional(),
  major: int.nullish(),
  minor: int.nullish(),
  access: z.string().optional(),
});
/** An entry of `linux.resources.devices`. */
export type LinuxDeviceCgroup = z.infer<typeof linuxDeviceCgroupSchema>;

/** Memory limits, in bytes (`-1` is unlimited for `limit` and `swap`). */
export const linuxMemorySchema = z.looseObject({
  limit: int.optional(),
  reservation: int.optional(),
  swap: int.optional(),
  kernel: int.optional(),
  kernelTCP: int.optional(),
  swappiness: uint.nullish(),
  disableOOMKiller: z.boolean().optional(),
  useHierarchy: z.boolean().optional(),
  checkBeforeUpdate: z.boolean().optional(),
});
/** `linux.resources.memory`. */
export type LinuxMemory = z.infer<typeof linuxMemorySchema>;

/** CPU shares, CFS quota/period (µs), realtime budget and cpuset. */
export const linuxCpuSchema = z.looseObject({
  shares: uint.optional(),
  quota: int.optional(),
  burst: uint.optional(),
  period: uint.optional(),
  realtimeRuntime: int.optional(),
  realtimePeriod: uint.optional(),
  cpus: z.string().optional(),
  mems: z.string().optional(),
  idle: int.optional(),
});
/** `linux.resources.cpu`. */
export type LinuxCpu = z.infer<typeof linuxCpuSchema>;

/** The process-count limit (`-1` or `0` is unlimited). */
export const linuxPidsSchema = z.looseObject({ limit: int });
/** `linux.resources.pids`. */
export type LinuxPids = z.infer<typeof linuxPidsSchema>;

const blockIoDeviceSchema = z.looseObject({ major: int, minor: int });
const weightDeviceSchema = blockIoDeviceSchema.extend({
  weight: uint.optional(),
  leafWeight: uint.optional(),
});
const throttleDeviceSchema = blockIoDeviceSchema.extend({ rate: uint });

/** Block I/O weights and per-device throttles. */
export const linuxBlockIoSchema = z.looseObject({
  weight: uint.optional(),
  leafWeight: uint.optional(),
  weightDevice: z.array(weightDeviceSchema).optional(),
  throttleReadBpsDevice: z.array(throttleDeviceSchema).optional(),
  throttleWriteBpsDevice: z.array(throttleDeviceSchema).optional(),
  throttleReadIOPSDevice: z.array(throttleDeviceSchema).optional(),
  throttleWriteIOPSDevice: z.array(throttleDeviceSchema).optional(),
});
/** `linux.resources.blockIO`. */
export type LinuxBlockIo = z.infer<typeof linuxBlockIoSchema>;

/** A hugetlb limit for one page size (`2MB`, `1GB`). */
export const linuxHugepageLimitSchema = z.looseObject({ pageSize: z.string(), limit: uint });
/** An entry of `linux.resources.hugepageLimits`. */
export type LinuxHugepageLimit = z.infer<typeof linuxHugepageLimitSchema>;

/** Network class ID and interface priorities (cgroup v1 net_cls/net_prio). */
export const linuxNetworkSchema = z.looseObject({
  classID: uint.optional(),
  priorities: z.array(z.looseObject({ name: z.string(), priority: uint })).optional(),
});
/** `linux.resources.network`. */
export type LinuxNetwork = z.infer<typeof linuxNetworkSchema>;

/** The cgroup resource limits of the container. */
export const linuxResourcesSchema = z.looseObject({
  devices: z.array(linuxDeviceCgroupSchema).optional(),
  memory: linuxMemorySchema.optional(),
  cpu: linuxCpuSchema.optional(),
  pids: linuxPidsSchema.optional(),
  blockIO: linuxBlockIoSchema.optional(),
  hugepageLimits: z.array(linuxHugepageLimitSchema).optional(),
  network: linuxNetworkSchema.optional(),
  rdma: z.record(z.string(), z.looseObject({ hcaHandles: uint.optional(), hcaObjects: uint.optional() })).optional(),
  /** cgroup v2 files written as-is (`"memory.high": "1G"`). */
  unified: z.record(z.string(), z.string()).optional(),
});
/** `linux.resources`. */
export type LinuxResources = z.infer<typeof linuxResourcesSchema>;

/** One argument condition of a seccomp rule. */
export const linuxSeccompArgSchema = z.looseObject({
  index: uint,
  value: uint,
  valueTwo: uint.optional(),
  op: z.string(),
});
/** An entry of a seccomp rule's `args`. */
export type LinuxSeccompArg = z.infer<typeof linuxSeccompArgSchema>;

/** A seccomp rule: the action for a set of syscalls (optionally with argument conditions). */
export const linuxSyscallSchema = z.looseObject({
  names: z.array(z.string()),
  action: z.string(),
  errnoRet: uint.optional(),
  args: z.array(linuxSeccompArgSchema).nullish(),
});
/** An entry of `linux.seccomp.syscalls`. */
export type LinuxSyscall = z.infer<typeof linuxSyscallSchema>;

/** A seccomp filter: default action, architectures, flags and rules. */
export const linuxSeccompSchema = z.looseObject({
  defaultAction: z.string(),
  defaultErrnoRet: uint.optional(),
  architectures: z.array(z.string()).nullish(),
  flags: z.array(z.string()).nullish(),
  listenerPath: z.string().optional(),
  listenerMetadata: z.string().optional(),
  syscalls: z.array(linuxSyscallSchema).nullish(),
});
/** `linux.seccomp`. */
export type LinuxSeccomp = z.infer<typeof linuxSeccompSchema>;

/** The `linux` section: namespaces, ID mappings, devices, cgroups, security and paths. */
export const linuxSchema = z.looseObject({
  namespaces: z.array(linuxNamespaceSchema).optional(),
  uidMappings: z.array(linuxIdMappingSchema).optional(),
  gidMappings: z.array(linuxIdMappingSchema).optional(),
  timeOffsets: z.record(z.string(), z.looseObject({ secs: int.optional(), nanosecs: uint.optional() })).optional(),
  devices: z.array(linuxDeviceSchema).optional(),
  cgroupsPath: z.string().optional(),
  resources: linuxResourcesSchema.optional(),
  intelRdt: z.looseObject({}).optional(),
  sysctl: z.record(z.string(), z.string()).optional(),
  seccomp: linuxSeccompSchema.optional(),
  rootfsPropagation: z.string().optional(),
  maskedPaths: z.array(z.string()).optional(),
  readonlyPaths: z.array(z.string()).optional(),
  mountLabel: z.string().optional(),
  personality: z.looseObject({ domain: z.string(), flags: z.array(z.string()).optional() }).optional(),
});
/** The `linux` section of a runtime spec. */
export type Linux = z.infer<typeof linuxSchema>;
