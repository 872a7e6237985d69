import { z } from 'zod';
import { InvalidArgumentError } from '@berth/errdefs';
import { parseSignal } from './signals.js';

// The configuration of a container in idiomatic TypeScript: what `docker create` takes
// (Config + HostConfig), without the wire shapes (those live in @berth/docker-api).
// Rules that docker enforces with a known message are enforced here with that message.

const absolutePath = (what: string) =>
  z.string().refine((p) => p.startsWith('/'), { message: `${what} must be an absolute path` });
const bytes = z.number().int().nonnegative();

/** Mount propagation of a bind mount (`rprivate` is docker's default). */
export const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'] as const;
/** One of {@link PROPAGATIONS}. */
export type Propagation = (typeof PROPAGATIONS)[number];

/** A host directory or file bind-mounted into the container. */
export const bindMountSchema = z.object({
  type: z.literal('bind'),
  /** Host path. */
  source: absolutePath('bind source'),
  /** Path in the container. */
  target: absolutePath('mount target'),
  readOnly: z.boolean().optional(),
  propagation: z.enum(PROPAGATIONS).optional(),
  /** Plain `bind` instead of `rbind`: submounts of the source are not carried over. */
  nonRecursive: z.boolean().optional(),
});
/** A bind mount. */
export type BindMount = z.infer<typeof bindMountSchema>;

/** A tmpfs mounted at `target`. */
export const tmpfsMountSchema = z.object({
  type: z.literal('tmpfs'),
  target: absolutePath('mount target'),
  readOnly: z.boolean().optional(),
  /** Size in bytes (default: the kernel's, half of RAM). */
  sizeBytes: bytes.optional(),
  /** Permission bits of the tmpfs root (default 1777). */
  mode: z.number().int().min(0).max(0o7777).optional(),
});
/** A tmpfs mount. */
export type TmpfsMount = z.infer<typeof tmpfsMountSchema>;

/**
 * A named (or, without `source`, anonymous) volume. Volumes are resolved to host
 * directories by the engine through `@berth/volume`; spec generation takes the resolved
 * path through its `resolveVolume` seam.
 */
export const volumeMountSchema = z.object({
  type: z.literal('volume'),
  /** Volume name; absent for an anonymous volume. */
  source: z.string().min(1).optional(),
  target: absolutePath('mount target'),
  readOnly: z.boolean().optional(),
  /** Do not copy the image's files at `target` into a new empty volume. */
  noCopy: z.boolean().optional(),
});
/** A volume mount. */
export type VolumeMount = z.infer<typeof volumeMountSchema>;

/** Any mount of a container config. */
export const mountSchema = z.discriminatedUnion('type', [bindMountSchema, tmpfsMountSchema, volumeMountSchema]);
/** A mount of a container config. */
export type ContainerMount = z.infer<typeof mountSchema>;

/** The resource names `ulimit` knows (docker's list). */
export const ULIMIT_NAMES = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
  'as',
] as const;

/** A resource limit for the container's processes (`--ulimit nofile=1024:2048`). */
export const ulimitSchema = z
  .object({
    name: z.enum(ULIMIT_NAMES, { message: 'invalid ulimit type' }),
    soft: z.number().int().min(-1),
    hard: z.number().int().min(-1),
  })
  .refine((u) => u.hard === -1 || (u.soft !== -1 && u.soft <= u.hard), {
    message: 'ulimit soft limit must be less than or equal to hard limit',
  });
/** A ulimit; -1 is unlimited. */
export type Ulimit = z.infer<typeof ulimitSchema>;

/** cgroup limits, docker's names and units (bytes, CFS microseconds). */
export const resourcesSchema = z.object({
  /** Memory limit in bytes. */
  memory: bytes.optional(),
  /** Memory plus swap in bytes; -1 for unlimited swap; default twice `memory`. */
  memorySwap: z.number().int().min(-1).optional(),
  /** Soft memory limit in bytes. */
  memoryReservation: bytes.optional(),
  /** 0–100: how readily anonymous pages are swapped. */
  memorySwappiness: z.number().int().min(0).max(100).optional(),
  oomKillDisable: z.boolean().optional(),
  /** Relative CPU weight (cgroup v1 `cpu.shares`, default 1024). */
  cpuShares: z.number().int().nonnegative().optional(),
  /** CFS period in microseconds. */
  cpuPeriod: z.number().int().nonnegative().optional(),
  /** CFS quota in microseconds per period; -1 for none. */
  cpuQuota: z.number().int().min(-1).optional(),
  /** CPUs in units of 10^-9 (`--cpus 1.5` is 1.5e9). */
  nanoCpus: z.number().int().nonnegative().optional(),
  /** CPUs allowed (`0-3`, `0,1`). */
  cpusetCpus: z.string().regex(/^(\d+(-\d+)?)(,\d+(-\d+)?)*$/, 'invalid cpuset').optional(),
  /** Memory nodes allowed. */
  cpusetMems: z.string().regex(/^(\d+(-\d+)?)(,\d+(-\d+)?)*$/, 'invalid cpuset').optional(),
  /** Maximum number of processes; 0 or -1 for unlimited. */
  pidsLimit: z.number().int().min(-1).optional(),
  /** Block I/O weight, 10–1000 (0 = default). */
  blkioWeight: z.number().int().min(0).max(1000).optional(),
});
/** cgroup limits of a container. */
export type Resources = z.infer<typeof resourcesSchema>;

/** The restart policy names of docker. */
export const RESTART_POLICY_NAMES = ['no', 'always', 'unless-stopped', 'on-failure'] as const;

/** When a container that stops by itself is started again. */
export const restartPolicySchema = z.object({
  name: z.enum(RESTART_POLICY_NAMES),
  /** For `on-failure`: the most restarts (0 = no limit). */
  maximumRetryCount: z.number().int().optional(),
});
/** A restart policy. */
export type RestartPolicy = z.infer<typeof restartPolicySchema>;

/** A healthcheck, as docker's `--health-*` flags give it (durations in nanoseconds). */
export const healthcheckSchema = z.object({
  /** `['NONE']`, `['CMD', …args]` or `['CMD-SHELL', script]`. */
  test: z.array(z.string()).optional(),
  intervalNs: z.number().int().nonnegative().optional(),
  timeoutNs: z.number().int().nonnegative().optional(),
  startPeriodNs: z.number().int().nonnegative().optional(),
  startIntervalNs: z.number().int().nonnegative().optional(),
  retries: z.number().int().nonnegative().optional(),
});
/** A healthcheck. */
export type Healthcheck = z.infer<typeof healthcheckSchema>;

const envEntry = z.string().refine((e) => !e.startsWith('='), { message: 'invalid environment variable' });

/**
 * zod schema of a container's configuration. Unknown keys are refused (a typo must not
 * silently drop a limit). Cross-field rules with docker's messages are checked too.
 */
export const containerConfigSchema = z
  .strictObject({
    /** Image reference or ID, as the user gave it. */
    image: z.string().min(1),
    /** Replaces the image's entrypoint; `[]` or `['']` clears it. Absent: the image's. */
    entrypoint: z.array(z.string()).nullish(),
    /** Arguments (to the entrypoint); absent or empty: the image's, unless `entrypoint` is given. */
    cmd: z.array(z.string()).nullish(),
    /** `KEY=value` entries, overriding the image's by key. */
    env: z.array(envEntry).optional(),
    /** `name`, `uid`, `name:group`, `uid:gid`; resolved through the image's /etc/passwd and /etc/group. */
    user: z.string().optional(),
    /** Extra groups (names or gids) for the process. */
    groupAdd: z.array(z.string()).optional(),
    workingDir: z.string().optional(),
    hostname: z.string().max(253).optional(),
    domainname: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    tty: z.boolean().optional(),
    openStdin: z.boolean().optional(),
    /** Close stdin after the first attached client detaches. */
    stdinOnce: z.boolean().optional(),
    /** Signal `stop` sends first (default: the image's, else SIGTERM). */
    stopSignal: z.string().optional(),
    /** Seconds `stop` waits before SIGKILL (default 10; -1 waits forever). */
    stopTimeout: z.number().int().min(-1).optional(),
    /** Run an init (catatonit) as PID 1 that reaps zombies and forwards signals. */
    init: z.boolean().optional(),
    readOnlyRootfs: z.boolean().optional(),
    /** tmpfs mounts as docker's `--tmpfs`: target → mount options (`size=64m,exec`). */
    tmpfs: z.record(z.string(), z.string()).optional(),
    mounts: z.array(mountSchema).optional(),
    capAdd: z.array(z.string()).optional(),
    capDrop: z.array(z.string()).optional(),
    privileged: z.boolean().optional(),
    resources: resourcesSchema.optional(),
    ulimits: z.array(ulimitSchema).optional(),
    sysctls: z.record(z.string(), z.string()).optional(),
    /** Size of /dev/shm in bytes (default 64 MiB). */
    shmSize: bytes.optional(),
    oomScoreAdj: z.number().int().optional(),
    restartPolicy: restartPolicySchema.optional(),
    healthcheck: healthcheckSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (config.workingDir !== undefined && config.workingDir !== '' && !config.workingDir.startsWith('/')) {
      fail(`the working directory '${config.workingDir}' is invalid, it needs to be an absolute path`);
    }
    if (config.stopSignal !== undefined) {
      try {
        parseSignal(config.stopSignal);
      } catch (err) {
        fail((err as Error).message);
      }
    }
    if (config.oomScoreAdj !== undefined && (config.oomScoreAdj < -1000 || config.oomScoreAdj > 1000)) {
      fail(`Invalid value ${config.oomScoreAdj}, range for oom score adj is [-1000, 1000]`);
    }
    for (const target of Object.keys(config.tmpfs ?? {})) {
      if (!target.startsWith('/')) fail(`invalid tmpfs target ${target}: must be an absolute path`);
    }
    const targets = new Set<string>();
    const mountTargets = [...(config.mounts ?? []).map((m) => m.target), ...Object.keys(config.tmpfs ?? {})];
    for (const target of mountTargets) {
      const clean = target.replace(/\/+$/, '') || '/';
      if (clean === '/') fail('invalid mount config: destination can\'t be \'/\'');
      if (targets.has(clean)) fail(`Duplicate mount point: ${clean}`);
      targets.add(clean);
    }
    const seen = new Set<string>();
    for (const ulimit of config.ulimits ?? []) {
      if (seen.has(ulimit.name)) fail(`duplicate ulimit: ${ulimit.name}`);
      seen.add(ulimit.name);
    }
    const policy = config.restartPolicy;
    if (policy?.maximumRetryCount !== undefined && policy.maximumRetryCount !== 0) {
      if (policy.name !== 'on-failure') {
        fail(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
      } else if (policy.maximumRetryCount < 0) {
        fail('invalid restart policy: maximum retry count can not be negative');
      }
    }
    for (const issue of resourceProblems(config.resources ?? {})) fail(issue);
  });

/** A validated container configuration. */
export type ContainerConfig = z.infer<typeof containerConfigSchema>;
/** What {@link parseContainerConfig} accepts. */
export type ContainerConfigInput = z.input<typeof containerConfigSchema>;

const minimumMemory = 6 * 1024 * 1024;

/** docker's checks on resource combinations (daemon/daemon_unix.go verifyPlatformContainerResources). */
function resourceProblems(r: Resources): string[] {
  const problems: string[] = [];
  if (r.memory !== undefined && r.memory > 0 && r.memory < minimumMemory) {
    problems.push('Minimum memory limit allowed is 6MB');
  }
  if (r.memorySwap !== undefined && r.memorySwap > 0) {
    if (!r.memory) problems.push('You should always set the Memory limit when using Memoryswap limit, see usage');
    else if (r.memorySwap < r.memory) {
      problems.push('Minimum memoryswap limit should be larger than memory limit, see usage');
    }
  }
  if (r.memoryReservation && r.memory && r.memory < r.memoryReservation) {
    problems.push('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (r.nanoCpus && r.cpuPeriod) problems.push('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (r.nanoCpus && r.cpuQuota && r.cpuQuota > 0) {
    problems.push('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  }
  if (r.cpuPeriod && (r.cpuPeriod < 1000 || r.cpuPeriod > 1_000_000)) {
    problems.push('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (r.cpuQuota !== undefined && r.cpuQuota > 0 && r.cpuQuota < 1000) {
    problems.push('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  }
  if (r.blkioWeight && r.blkioWeight < 10) problems.push('Range of blkio weight is from 10 to 1000');
  return problems;
}

/**
 * Validates `input` as a {@link ContainerConfig}. `InvalidArgument` naming the first
 * problem (with its field path) otherwise; nothing is changed.
 */
export function parseContainerConfig(input: unknown): ContainerConfig {
  const result = containerConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  // Cross-field rules carry docker's own wording: keep it verbatim.
  const message = issue.path.length > 0 ? `invalid container config: ${issue.path.join('.')}: ${issue.message}` : issue.message;
  throw new InvalidArgumentError(message, {
    cause: result.error,
    details: { issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}
