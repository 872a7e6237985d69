import { z } from 'zod';
import { linuxIdMappingSchema, linuxSchema } from './runtime-spec-linux.js';

// The OCI runtime spec's config.json (config.md): what runc needs to create a
// container. Objects are loose, so unknown fields survive a parse.

const uint = z.number().int().nonnegative();

/**
 * The `ociVersion` Berth writes: the spec version of the runc it drives (runc 1.1
 * prints `spec: 1.0.2-dev`); runc reads any 1.x document.
 */
export const OCI_RUNTIME_SPEC_VERSION = '1.0.2-dev';

/** The user a process runs as: numeric IDs (names are resolved before the spec is written). */
export const runtimeUserSchema = z.looseObject({
  uid: uint,
  gid: uint,
  umask: uint.optional(),
  additionalGids: z.array(uint).optional(),
  username: z.string().optional(),
});
/** `process.user`. */
export type RuntimeUser = z.infer<typeof runtimeUserSchema>;

/** The capability sets of the process (`CAP_CHOWN`, …). */
export const linuxCapabilitiesSchema = z.looseObject({
  bounding: z.array(z.string()).optional(),
  effective: z.array(z.string()).optional(),
  inheritable: z.array(z.string()).optional(),
  permitted: z.array(z.string()).optional(),
  ambient: z.array(z.string()).optional(),
});
/** `process.capabilities`. */
export type LinuxCapabilities = z.infer<typeof linuxCapabilitiesSchema>;

/**
 * A resource limit (`RLIMIT_NOFILE`, …). Values above 2^53 lose precision as JSON
 * numbers in JavaScript; write "unlimited" limits as the largest value the kernel
 * takes for that resource instead of 2^64-1.
 */
export const runtimeRlimitSchema = z.looseObject({
  type: z.string(),
  hard: uint,
  soft: uint,
});
/** An entry of `process.rlimits`. */
export type RuntimeRlimit = z.infer<typeof runtimeRlimitSchema>;

/** The container's init process: argv, environment, cwd, user, terminal, privileges. */
export const runtimeProcessSchema = z.looseObject({
  terminal: z.boolean().optional(),
  consoleSize: z.looseObject({ height: uint, width: uint }).optional(),
  user: runtimeUserSchema,
  args: z.array(z.string()).optional(),
  commandLine: z.string().optional(),
  env: z.array(z.string()).optional(),
  cwd: z.string(),
  capabilities: linuxCapabilitiesSchema.optional(),
  rlimits: z.array(runtimeRlimitSchema).optional(),
  noNewPrivileges: z.boolean().optional(),
  apparmorProfile: z.string().optional(),
  oomScoreAdj: z.number().int().optional(),
  selinuxLabel: z.string().optional(),
  ioPriority: z.looseObject({ class: z.string(), priority: z.number().int() }).optional(),
  scheduler: z.looseObject({ policy: z.string() }).optional(),
});
/** `process`. */
export type RuntimeProcess = z.infer<typeof runtimeProcessSchema>;

/** The root filesystem: a path (relative to the bundle or absolute), optionally read-only. */
export const runtimeRootSchema = z.looseObject({
  path: z.string(),
  readonly: z.boolean().optional(),
});
/** `root`. */
export type RuntimeRoot = z.infer<typeof runtimeRootSchema>;

/** A mount inside the container, applied in order. */
export const runtimeMountSchema = z.looseObject({
  destination: z.string(),
  type: z.string().optional(),
  source: z.string().optional(),
  options: z.array(z.string()).optional(),
  uidMappings: z.array(linuxIdMappingSchema).optional(),
  gidMappings: z.array(linuxIdMappingSchema).optional(),
});
/** An entry of `mounts`. */
export type RuntimeMount = z.infer<typeof runtimeMountSchema>;

/** A hook: an executable run by the runtime at a lifecycle point, with the state on stdin. */
export const runtimeHookSchema = z.looseObject({
  path: z.string(),
  args: z.array(z.string()).optional(),
  env: z.array(z.string()).optional(),
  timeout: z.number().int().positive().optional(),
});
/** One hook. */
export type RuntimeHook = z.infer<typeof runtimeHookSchema>;

/** Lifecycle hooks (`prestart` is deprecated in favour of `createRuntime`). */
export const runtimeHooksSchema = z.looseObject({
  prestart: z.array(runtimeHookSchema).optional(),
  createRuntime: z.array(runtimeHookSchema).optional(),
  createContainer: z.array(runtimeHookSchema).optional(),
  startContainer: z.array(runtimeHookSchema).optional(),
  poststart: z.array(runtimeHookSchema).optional(),
  poststop: z.array(runtimeHookSchema).optional(),
});
/** `hooks`. */
export type RuntimeHooks = z.infer<typeof runtimeHooksSchema>;

/**
 * zod schema of an OCI runtime spec (`config.json` of a bundle), with the parts runc
 * uses on Linux. Unknown fields (and other platforms' sections) are kept.
 */
export const runtimeSpecSchema = z.looseObject({
  ociVersion: z.string(),
  process: runtimeProcessSchema.optional(),
  root: runtimeRootSchema.optional(),
  hostname: z.string().optional(),
  domainname: z.string().optional(),
  mounts: z.array(runtimeMountSchema).optional(),
  hooks: runtimeHooksSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  linux: linuxSchema.optional(),
});
/** An OCI runtime spec: what a bundle's `config.json` holds. */
export type RuntimeSpec = z.infer<typeof runtimeSpecSchema>;
