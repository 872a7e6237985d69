import { InvalidArgumentError } from '@berth/errdefs';
import type { ContainerCreateOptions, ContainerUpdateOptions, ExecCreateOptions } from '@berth/engine';
import type {
  ContainerCreateRequest,
  ContainerUpdateRequest,
  ExecCreateRequest,
  HealthConfig,
  HostConfig,
  Mount,
  Resources,
  RestartPolicy,
} from '../generated/engine-api-schemas.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type EngineResources = NonNullable<ContainerCreateOptions['resources']>;
type EngineMount = NonNullable<ContainerCreateOptions['mounts']>[number];
type EngineRestartPolicy = NonNullable<ContainerCreateOptions['restartPolicy']>;

/** The query parameters of `POST /containers/create` that are not in the body. */
export interface ContainerCreateQuery {
  name?: string | undefined;
  platform?: string | undefined;
}

/**
 * Translates docker's `ContainerCreateRequest` (Config + HostConfig + NetworkingConfig) into the
 * engine's {@link ContainerCreateOptions}. Only shape translation happens here: the engine
 * validates the values (absolute paths, limits…) with docker's messages. A field docker
 * accepts but Berth cannot honour (devices, security options…) is dropped silently, as an
 * older dockerd would.
 */
export function containerCreateOptionsFromWire(request: ContainerCreateRequest, query: ContainerCreateQuery = {}): ContainerCreateOptions {
  const host: HostConfig = request.HostConfig ?? {};
  const options: Mutable<ContainerCreateOptions> = { image: request.Image ?? '' };
  const cmd = stringList(request.Cmd);
  if (cmd !== undefined) options.cmd = cmd;
  // `Entrypoint: null` means "the image's"; `[]` or `""` clears it.
  if (request.Entrypoint !== undefined && request.Entrypoint !== null) options.entrypoint = stringList(request.Entrypoint) ?? [];
  setIf(options, 'env', request.Env ?? undefined);
  setIf(options, 'user', nonEmpty(request.User));
  setIf(options, 'workingDir', nonEmpty(request.WorkingDir));
  setIf(options, 'hostname', nonEmpty(request.Hostname));
  setIf(options, 'domainname', nonEmpty(request.Domainname));
  setIf(options, 'labels', request.Labels ?? undefined);
  setIf(options, 'tty', request.Tty ?? undefined);
  setIf(options, 'openStdin', request.OpenStdin ?? undefined);
  setIf(options, 'stdinOnce', request.StdinOnce ?? undefined);
  setIf(options, 'stopSignal', nonEmpty(request.StopSignal));
  setIf(options, 'stopTimeout', request.StopTimeout ?? undefined);
  if (request.ExposedPorts) options.exposedPorts = Object.keys(request.ExposedPorts);
  if (request.Healthcheck) options.healthcheck = healthcheckFromWire(request.Healthcheck);
  if (query.name !== undefined && query.name !== '') options.name = query.name.replace(/^\//, '');
  if (query.platform !== undefined && query.platform !== '') options.platform = query.platform;

  setIf(options, 'init', host.Init ?? undefined);
  setIf(options, 'readOnlyRootfs', host.ReadonlyRootfs ?? undefined);
  setIf(options, 'privileged', host.Privileged ?? undefined);
  setIf(options, 'capAdd', host.CapAdd ?? undefined);
  setIf(options, 'capDrop', host.CapDrop ?? undefined);
  setIf(options, 'groupAdd', host.GroupAdd ?? undefined);
  setIf(options, 'sysctls', host.Sysctls ?? undefined);
  setIf(options, 'tmpfs', host.Tmpfs ?? undefined);
  setIf(options, 'shmSize', host.ShmSize || undefined);
  setIf(options, 'oomScoreAdj', host.OomScoreAdj || undefined);
  setIf(options, 'autoRemove', host.AutoRemove ?? undefined);
  setIf(options, 'publishAllPorts', host.PublishAllPorts ?? undefined);
  if (host.VolumesFrom && host.VolumesFrom.length > 0) options.volumesFrom = host.VolumesFrom;
  setIf(options, 'extraHosts', host.ExtraHosts ?? undefined);
  setIf(options, 'dns', host.Dns ?? undefined);
  setIf(options, 'networkMode', nonEmpty(host.NetworkMode) === 'default' ? 'bridge' : nonEmpty(host.NetworkMode));
  if (host.PortBindings) {
    checkPortBindings(host.PortBindings);
    options.portBindings = Object.fromEntries(
      Object.entries(host.PortBindings).map(([port, bindings]) => [
        port,
        (bindings ?? []).map((b) => ({ ...(b.HostIp ? { hostIp: b.HostIp } : {}), hostPort: b.HostPort ?? '' })),
      ]),
    );
  }
  const restartPolicy = restartPolicyFromWire(host.RestartPolicy);
  if (restartPolicy) options.restartPolicy = restartPolicy;
  const resources = resourcesFromWire(host);
  if (resources) options.resources = resources;
  if (host.Ulimits && host.Ulimits.length > 0) {
    options.ulimits = host.Ulimits.map((u) => ({ name: (u.Name ?? '') as never, soft: u.Soft ?? 0, hard: u.Hard ?? 0 }));
  }
  const mounts = [...(host.Binds ?? []).map(bindFromWire), ...(host.Mounts ?? []).map(mountFromWire)];
  // `Volumes` without a bind or mount at the same path are anonymous volumes.
  for (const target of Object.keys(request.Volumes ?? {})) {
    if (!mounts.some((m) => m.target === target)) mounts.push({ type: 'volume', target });
  }
  if (mounts.length > 0) options.mounts = mounts;
  const endpoints = request.NetworkingConfig?.EndpointsConfig;
  if (endpoints) {
    options.networks = Object.fromEntries(
      Object.entries(endpoints).map(([network, settings]) => [
        // The CLI names the default network `default`: the daemon's default is `bridge`.
        network === 'default' ? 'bridge' : network,
        {
          ...(settings.Aliases ? { aliases: settings.Aliases } : {}),
          ...(settings.IPAMConfig?.IPv4Address ? { ipv4Address: settings.IPAMConfig.IPv4Address } : {}),
          ...(settings.IPAMConfig?.IPv6Address ? { ipv6Address: settings.IPAMConfig.IPv6Address } : {}),
        },
      ]),
    );
  }
  return options;
}

/**
 * dockerd checks port bindings when the container is created, before anything else: a key is
 * one port (`80/tcp`), a host port empty (any), one port or a range. Else 400 `invalid port
 * specification: "x"`.
 */
function checkPortBindings(bindings: NonNullable<HostConfig['PortBindings']>): void {
  const isPort = (text: string) => /^\d{1,5}$/.test(text) && Number(text) <= 65535;
  const withoutProto = (spec: string) => spec.split('/')[0] ?? '';
  for (const [port, list] of Object.entries(bindings)) {
    const containerPort = withoutProto(port);
    if (containerPort !== '' && !isPort(containerPort)) throw new InvalidArgumentError(`invalid port specification: ${JSON.stringify(containerPort)}`);
    for (const binding of list ?? []) {
      const hostPort = withoutProto(binding.HostPort ?? '');
      const [start = '', end, ...rest] = hostPort.split('-');
      const valid = hostPort === '' || (rest.length === 0 && isPort(start) && (end === undefined || (isPort(end) && Number(end) >= Number(start))));
      if (!valid) throw new InvalidArgumentError(`invalid port specification: ${JSON.stringify(binding.HostPort)}`);
    }
  }
}

/** Docker's `RestartPolicy` → the engine's; an empty name is "no policy given". */
export function restartPolicyFromWire(policy: RestartPolicy | null | undefined): EngineRestartPolicy | undefined {
  if (!policy || !policy.Name) return undefined;
  const name = policy.Name;
  if (name !== 'no' && name !== 'always' && name !== 'unless-stopped' && name !== 'on-failure') {
    throw new InvalidArgumentError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  return { name, ...(policy.MaximumRetryCount ? { maximumRetryCount: policy.MaximumRetryCount } : {}) };
}

/** Docker's cgroup fields → the engine's resources; zero values are "unset", as dockerd reads them. */
export function resourcesFromWire(wire: Resources): EngineResources | undefined {
  const r: EngineResources = {};
  if (wire.Memory) r.memory = wire.Memory;
  if (wire.MemorySwap) r.memorySwap = wire.MemorySwap;
  if (wire.MemoryReservation) r.memoryReservation = wire.MemoryReservation;
  if (wire.MemorySwappiness !== undefined && wire.MemorySwappiness !== null && wire.MemorySwappiness >= 0) r.memorySwappiness = wire.MemorySwappiness;
  if (wire.OomKillDisable) r.oomKillDisable = wire.OomKillDisable;
  if (wire.CpuShares) r.cpuShares = wire.CpuShares;
  if (wire.CpuPeriod) r.cpuPeriod = wire.CpuPeriod;
  if (wire.CpuQuota) r.cpuQuota = wire.CpuQuota;
  if (wire.NanoCpus) r.nanoCpus = wire.NanoCpus;
  if (wire.CpusetCpus) r.cpusetCpus = wire.CpusetCpus;
  if (wire.CpusetMems) r.cpusetMems = wire.CpusetMems;
  if (wire.PidsLimit) r.pidsLimit = wire.PidsLimit;
  if (wire.BlkioWeight) r.blkioWeight = wire.BlkioWeight;
  return Object.keys(r).length > 0 ? r : undefined;
}

/** `POST /containers/{id}/update` body → the engine's update options. */
export function containerUpdateFromWire(request: ContainerUpdateRequest): ContainerUpdateOptions {
  const options: ContainerUpdateOptions = {};
  const resources = resourcesFromWire(request);
  if (resources) options.resources = resources;
  const policy = restartPolicyFromWire(request.RestartPolicy);
  if (policy) options.restartPolicy = policy;
  return options;
}

/** `POST /containers/{id}/exec` body → the engine's exec options; `Cmd` is required, as dockerd says. */
export function execCreateOptionsFromWire(request: ExecCreateRequest): ExecCreateOptions {
  if (!request.Cmd || request.Cmd.length === 0) throw new InvalidArgumentError('No exec command specified');
  const options: Mutable<ExecCreateOptions> = { cmd: request.Cmd };
  setIf(options, 'env', request.Env ?? undefined);
  setIf(options, 'user', nonEmpty(request.User));
  setIf(options, 'workingDir', nonEmpty(request.WorkingDir));
  setIf(options, 'tty', request.Tty ?? undefined);
  setIf(options, 'attachStdin', request.AttachStdin ?? undefined);
  setIf(options, 'attachStdout', request.AttachStdout ?? undefined);
  setIf(options, 'attachStderr', request.AttachStderr ?? undefined);
  setIf(options, 'privileged', request.Privileged ?? undefined);
  return options;
}

/** `-v src:dst[:opts]`: an absolute source is a bind, a name is a volume. */
export function bindFromWire(spec: string): EngineMount {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '') {
    throw new InvalidArgumentError(`invalid volume specification: '${spec}'`);
  }
  const [source, target, mode = ''] = parts as [string, string, string?];
  const flags = mode.split(',').filter((f) => f !== '');
  const readOnly = flags.includes('ro');
  if (source.startsWith('/')) {
    const propagation = flags.find((f) => ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'].includes(f));
    return { type: 'bind', source, target, ...(readOnly ? { readOnly } : {}), ...(propagation ? { propagation: propagation as never } : {}) };
  }
  return { type: 'volume', source, target, ...(readOnly ? { readOnly } : {}), ...(flags.includes('nocopy') ? { noCopy: true } : {}) };
}

/** One of `HostConfig.Mounts` → the engine's mount. */
export function mountFromWire(mount: Mount): EngineMount {
  const target = mount.Target ?? '';
  const readOnly = mount.ReadOnly ? { readOnly: true } : {};
  switch (mount.Type) {
    case 'bind':
      return {
        type: 'bind',
        source: mount.Source ?? '',
        target,
        ...readOnly,
        ...(mount.BindOptions?.Propagation ? { propagation: mount.BindOptions.Propagation as never } : {}),
        ...(mount.BindOptions?.NonRecursive ? { nonRecursive: true } : {}),
      };
    case 'volume':
      return { type: 'volume', ...(mount.Source ? { source: mount.Source } : {}), target, ...readOnly, ...(mount.VolumeOptions?.NoCopy ? { noCopy: true } : {}) };
    case 'tmpfs':
      return {
        type: 'tmpfs',
        target,
        ...readOnly,
        ...(mount.TmpfsOptions?.SizeBytes ? { sizeBytes: mount.TmpfsOptions.SizeBytes } : {}),
        ...(mount.TmpfsOptions?.Mode ? { mode: mount.TmpfsOptions.Mode } : {}),
      };
    default:
      throw new InvalidArgumentError(`mount type unknown: '${mount.Type ?? ''}'`);
  }
}

function healthcheckFromWire(h: HealthConfig): NonNullable<ContainerCreateOptions['healthcheck']> {
  return {
    ...(h.Test ? { test: h.Test } : {}),
    ...(h.Interval ? { intervalNs: h.Interval } : {}),
    ...(h.Timeout ? { timeoutNs: h.Timeout } : {}),
    ...(h.StartPeriod ? { startPeriodNs: h.StartPeriod } : {}),
    ...(h.StartInterval ? { startIntervalNs: h.StartInterval } : {}),
    ...(h.Retries ? { retries: h.Retries } : {}),
  };
}

function stringList(value: string | string[] | null | undefined): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? [] : [value];
  return value;
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
