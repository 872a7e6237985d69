import { InvalidArgumentError } from '@berth/errdefs';
import type { LinuxDevice, RuntimeMount, RuntimeSpec } from '@berth/spec';
import { type MergedContainerConfig, processArgs, processEnv } from '../config/merge-image-config.js';
import type { ResolvedUser } from '../config/resolve-user.js';
import { tweakCapabilities } from './capabilities.js';
import { DEFAULT_SHM_SIZE, defaultRuntimeSpec } from './default-spec.js';
import { containerRuntimeMounts, type VolumeResolver } from './runtime-mounts.js';
import { buildRuntimeSpec, type SpecOption } from './spec-option.js';
import { withCapabilities } from './with-capabilities.js';
import { withHostname } from './with-hostname.js';
import { withInit } from './with-init.js';
import { withMounts, withShmSize } from './with-mounts.js';
import { withCgroupsPath, withNamespace, withoutNamespace } from './with-namespaces.js';
import { withPrivileged } from './with-privileged.js';
import { withCwd, withEnv, withOomScoreAdj, withProcessArgs, withTerminal } from './with-process.js';
import { type HostCgroupSupport, withResources } from './with-resources.js';
import { withRlimits } from './with-rlimits.js';
import { withReadonlyRootfs, withRootfs } from './with-rootfs.js';
import { validateSysctls, withDefaultNetworkSysctls, withSysctls } from './with-sysctls.js';
import { withUser } from './with-user.js';

/** How the container is networked, as far as its runtime spec is concerned. */
export type NetworkNamespace =
  /** A fresh, empty network namespace (the network package wires it after create). */
  | { mode: 'private' }
  /** A namespace made beforehand (a bind-mounted netns, or another container's). */
  | { mode: 'join'; path: string }
  /** The host's network stack (docker then gives the container the host's hostname: pass it as `hostname`). */
  | { mode: 'host' };

/** What the spec of a container needs besides its config: host facts and resolved seams. */
export interface RuntimeSpecContext {
  /** The container ID: default hostname (its first 12 characters) and cgroup name. */
  id: string;
  /** The root file system: a host path (mounted by the snapshotter) or bundle-relative. */
  rootfs: string;
  /** The user, resolved through the image's /etc/passwd (`resolveUser`). */
  user: ResolvedUser;
  /** Host path of catatonit, needed when the config asks for an init. */
  initPath?: string;
  /** Resolves volume mounts to host directories (the seam to @berth/volume). */
  resolveVolume?: VolumeResolver;
  /** Mounts the engine adds: /etc/hosts, /etc/resolv.conf, /etc/hostname, secrets… */
  extraMounts?: readonly RuntimeMount[];
  /** Host devices for a privileged container (scanned from /dev by the caller). */
  hostDevices?: readonly LinuxDevice[];
  /** cgroup parent of the container (default `/berth`): its cgroup is `<parent>/<id>`. */
  cgroupParent?: string;
  /** Default `{ mode: 'private' }`. */
  network?: NetworkNamespace;
  /** What the host's cgroups support (swap limits). */
  host?: HostCgroupSupport;
}

/** The hostname a container gets: its config's, else the first 12 characters of its ID. */
export function containerHostname(config: Pick<MergedContainerConfig, 'hostname'>, id: string): string {
  return config.hostname || id.slice(0, 12);
}

/**
 * The spec options that turn docker's default spec into the spec of this container, in
 * the order they must apply (read-only rootfs before the user's mounts, init after the
 * args). Exposed so a caller can add its own before building.
 */
export function containerSpecOptions(config: MergedContainerConfig, context: RuntimeSpecContext): SpecOption[] {
  const hostname = containerHostname(config, context.id);
  const network = context.network ?? { mode: 'private' };
  const sysctls = config.sysctls ?? {};
  validateSysctls(sysctls, { hostNetwork: network.mode === 'host' });
  if (config.init && !context.initPath) {
    throw new InvalidArgumentError('an init process was asked for, but no init binary (catatonit) is configured');
  }
  const mounts = [...containerRuntimeMounts(config, context.resolveVolume), ...(context.extraMounts ?? [])];

  const options: SpecOption[] = [
    withProcessArgs(processArgs(config)),
    withEnv(processEnv(config.env, { hostname, tty: config.tty, home: context.user.home })),
    withCwd(config.workingDir),
    withTerminal(config.tty ?? false),
    withUser(context.user),
    withHostname(hostname, config.domainname),
    withRootfs(context.rootfs),
    withReadonlyRootfs(config.readOnlyRootfs ?? false),
    withCapabilities(tweakCapabilities({ add: config.capAdd, drop: config.capDrop, privileged: config.privileged })),
  ];
  if (config.privileged) options.push(withPrivileged(context.hostDevices));
  options.push(
    withShmSize(config.shmSize || DEFAULT_SHM_SIZE),
    withMounts(mounts),
    withResources(config.resources ?? {}, context.host),
    withRlimits(config.ulimits ?? []),
  );
  if (network.mode === 'host') options.push(withoutNamespace('network'));
  else {
    options.push(withNamespace('network', network.mode === 'join' ? network.path : undefined));
    options.push(withDefaultNetworkSysctls());
  }
  options.push(withSysctls(sysctls), withCgroupsPath(`${context.cgroupParent ?? '/berth'}/${context.id}`));
  if (config.oomScoreAdj !== undefined) options.push(withOomScoreAdj(config.oomScoreAdj));
  if (config.init) options.push(withInit(context.initPath!));
  return options;
}

/**
 * The OCI runtime spec (config.json) of a container: docker's defaults folded with the
 * options of {@link containerSpecOptions}, then `extra` options. Pure: every host fact
 * comes in through `context`. `InvalidArgument` for configs that cannot be run (no
 * command, a sysctl that is not namespaced, an init without catatonit).
 */
export function createRuntimeSpec(
  config: MergedContainerConfig,
  context: RuntimeSpecContext,
  extra: readonly SpecOption[] = [],
): RuntimeSpec {
  return buildRuntimeSpec(defaultRuntimeSpec(), [...containerSpecOptions(config, context), ...extra]);
}
