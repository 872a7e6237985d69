// The client side of the engine ⇄ Docker wire mapping: engine options → request bodies, and
// docker's replies → engine views. berthd's codec (`@berth/docker-api` codec/) goes the other
// way (request → options, view → reply); this file is its inverse and is kept in one place so it
// can move next to it.
import type {
  ContainerChange,
  ContainerCreateOptions,
  ContainerInspect,
  ContainerPathStat,
  ContainerStats,
  ContainerSummary,
  ContainerUpdateOptions,
  EngineEvent,
  EngineInfo,
  EngineVersion,
  ExecInspect,
  ImageDeleteEntry,
  ImageHistoryEntry,
  ImageInspect,
  ImagePullHandle,
  ImagePushHandle,
  ImageSummary,
  NetworkCreateOptions,
  NetworkInspect,
  TopResult,
  Volume,
} from '@berth/engine';
import type {
  ContainerInspectResponse,
  ContainerStatsResponse,
  ContainerSummary as WireContainerSummary,
  EndpointSettings,
  EventMessage,
  ExecInspectResponse,
  HostConfig,
  ImageDeleteResponseItem,
  ImageHistoryResponseItem,
  ImageInspect as WireImageInspect,
  ImageSummary as WireImageSummary,
  Network as WireNetwork,
  PortMap,
  ProgressMessage,
  SystemInfo,
  SystemVersion,
  Volume as WireVolume,
} from '@berth/docker-api';

type Endpoint = NetworkInspect['containers'][string];
type PortBinding = Endpoint['ports'][number];
type Resources = NonNullable<ContainerCreateOptions['resources']>;
type ImageRuntimeConfig = ImageInspect['config'];

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** A docker time (RFC 3339; Go's zero time means "never") as a Date, or undefined. */
export function dateFromWire(value: string | null | undefined): Date | undefined {
  if (!value || value === GO_ZERO_TIME || value.startsWith('0001-01-01')) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function unixDate(seconds: number | null | undefined): Date {
  return new Date((seconds ?? 0) * 1000);
}

function withoutSlash(name: string): string {
  return name.replace(/^\//, '');
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// --- containers: requests ---

/** `POST /containers/create`: the body (Config + HostConfig + NetworkingConfig) and its query. */
export function containerCreateToWire(options: ContainerCreateOptions): { body: Record<string, unknown>; query: { name?: string; platform?: string } } {
  const health = options.healthcheck;
  const exposed = [...(options.exposedPorts ?? []), ...Object.keys(options.portBindings ?? {})];
  const body = defined({
    Image: options.image,
    Entrypoint: options.entrypoint ?? undefined,
    Cmd: options.cmd ?? undefined,
    Env: options.env,
    User: options.user,
    WorkingDir: options.workingDir,
    Hostname: options.hostname,
    Domainname: options.domainname,
    Labels: options.labels,
    Tty: options.tty,
    OpenStdin: options.openStdin,
    StdinOnce: options.stdinOnce,
    // A client that may attach stdin asks for it, as `docker create -i` does.
    AttachStdin: options.openStdin,
    StopSignal: options.stopSignal,
    StopTimeout: options.stopTimeout,
    ExposedPorts: exposed.length > 0 ? Object.fromEntries(exposed.map((port) => [portKey(port), {}])) : undefined,
    Healthcheck: health
      ? defined({
          Test: health.test,
          Interval: health.intervalNs,
          Timeout: health.timeoutNs,
          StartPeriod: health.startPeriodNs,
          StartInterval: health.startIntervalNs,
          Retries: health.retries,
        })
      : undefined,
    HostConfig: hostConfigToWire(options),
    NetworkingConfig: options.networks
      ? {
          EndpointsConfig: Object.fromEntries(
            Object.entries(options.networks).map(([network, settings]) => [
              network,
              defined({
                Aliases: settings.aliases,
                IPAMConfig:
                  settings.ipv4Address || settings.ipv6Address
                    ? defined({ IPv4Address: settings.ipv4Address, IPv6Address: settings.ipv6Address })
                    : undefined,
              }),
            ]),
          ),
        }
      : undefined,
  });
  return { body, query: defined({ name: options.name, platform: options.platform }) };
}

function portKey(port: string): string {
  return port.includes('/') ? port : `${port}/tcp`;
}

function hostConfigToWire(options: ContainerCreateOptions): Record<string, unknown> {
  return defined({
    ...resourcesToWire(options.resources),
    Init: options.init,
    ReadonlyRootfs: options.readOnlyRootfs,
    Privileged: options.privileged,
    CapAdd: options.capAdd,
    CapDrop: options.capDrop,
    GroupAdd: options.groupAdd,
    Sysctls: options.sysctls,
    Tmpfs: options.tmpfs,
    ShmSize: options.shmSize,
    OomScoreAdj: options.oomScoreAdj,
    AutoRemove: options.autoRemove,
    PublishAllPorts: options.publishAllPorts,
    VolumesFrom: options.volumesFrom,
    ExtraHosts: options.extraHosts,
    Dns: options.dns,
    NetworkMode: options.networkMode,
    RestartPolicy: options.restartPolicy
      ? defined({ Name: options.restartPolicy.name, MaximumRetryCount: options.restartPolicy.maximumRetryCount })
      : undefined,
    Ulimits: options.ulimits?.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
    PortBindings: options.portBindings
      ? Object.fromEntries(
          Object.entries(options.portBindings).map(([port, bindings]) => [
            portKey(port),
            bindings.map((b) => defined({ HostIp: b.hostIp, HostPort: b.hostPort === undefined ? '' : String(b.hostPort) })),
          ]),
        )
      : undefined,
    Mounts: options.mounts?.map((mount) => {
      switch (mount.type) {
        case 'bind':
          return defined({
            Type: 'bind',
            Source: mount.source,
            Target: mount.target,
            ReadOnly: mount.readOnly,
            BindOptions:
              mount.propagation || mount.nonRecursive ? defined({ Propagation: mount.propagation, NonRecursive: mount.nonRecursive }) : undefined,
          });
        case 'tmpfs':
          return defined({
            Type: 'tmpfs',
            Target: mount.target,
            ReadOnly: mount.readOnly,
            TmpfsOptions: mount.sizeBytes !== undefined || mount.mode !== undefined ? defined({ SizeBytes: mount.sizeBytes, Mode: mount.mode }) : undefined,
          });
        default:
          return defined({
            Type: 'volume',
            Source: mount.source,
            Target: mount.target,
            ReadOnly: mount.readOnly,
            VolumeOptions: mount.noCopy ? { NoCopy: true } : undefined,
          });
      }
    }),
  });
}

/** The engine's resources as docker's flattened `Resources` fields. */
export function resourcesToWire(resources: Resources | undefined): Record<string, unknown> {
  if (!resources) return {};
  return defined({
    Memory: resources.memory,
    MemorySwap: resources.memorySwap,
    MemoryReservation: resources.memoryReservation,
    MemorySwappiness: resources.memorySwappiness,
    OomKillDisable: resources.oomKillDisable,
    CpuShares: resources.cpuShares,
    CpuPeriod: resources.cpuPeriod,
    CpuQuota: resources.cpuQuota,
    NanoCpus: resources.nanoCpus,
    CpusetCpus: resources.cpusetCpus,
    CpusetMems: resources.cpusetMems,
    PidsLimit: resources.pidsLimit,
    BlkioWeight: resources.blkioWeight,
  });
}

function resourcesFromWire(host: HostConfig): Resources {
  return defined({
    memory: host.Memory || undefined,
    memorySwap: host.MemorySwap || undefined,
    memoryReservation: host.MemoryReservation || undefined,
    memorySwappiness: host.MemorySwappiness ?? undefined,
    oomKillDisable: host.OomKillDisable || undefined,
    cpuShares: host.CpuShares || undefined,
    cpuPeriod: host.CpuPeriod || undefined,
    cpuQuota: host.CpuQuota || undefined,
    nanoCpus: host.NanoCpus || undefined,
    cpusetCpus: host.CpusetCpus || undefined,
    cpusetMems: host.CpusetMems || undefined,
    pidsLimit: host.PidsLimit || undefined,
    blkioWeight: host.BlkioWeight || undefined,
  });
}

/** `POST /containers/{id}/update`. */
export function containerUpdateToWire(options: ContainerUpdateOptions): Record<string, unknown> {
  return defined({
    ...resourcesToWire(options.resources),
    RestartPolicy: options.restartPolicy
      ? defined({ Name: options.restartPolicy.name, MaximumRetryCount: options.restartPolicy.maximumRetryCount })
      : undefined,
  });
}

/**
 * Runtime defaults as the Dockerfile instructions `import` and `commit` take in `changes`
 * (`CMD ["sh"]`, `ENV A=b`…): the only form both endpoints accept on every API version.
 */
export function configChangesToWire(config: ImageRuntimeConfig | undefined): string[] {
  if (!config) return [];
  const changes: string[] = [];
  if (config.Entrypoint) changes.push(`ENTRYPOINT ${JSON.stringify(config.Entrypoint)}`);
  if (config.Cmd) changes.push(`CMD ${JSON.stringify(config.Cmd)}`);
  for (const entry of config.Env ?? []) {
    const at = entry.indexOf('=');
    changes.push(at < 0 ? `ENV ${entry}=` : `ENV ${entry.slice(0, at)}=${JSON.stringify(entry.slice(at + 1))}`);
  }
  if (config.WorkingDir) changes.push(`WORKDIR ${config.WorkingDir}`);
  if (config.User) changes.push(`USER ${config.User}`);
  for (const [key, value] of Object.entries(config.Labels ?? {})) changes.push(`LABEL ${JSON.stringify(key)}=${JSON.stringify(value)}`);
  for (const port of Object.keys(config.ExposedPorts ?? {})) changes.push(`EXPOSE ${port}`);
  for (const volume of Object.keys(config.Volumes ?? {})) changes.push(`VOLUME ${JSON.stringify([volume])}`);
  if (config.StopSignal) changes.push(`STOPSIGNAL ${config.StopSignal}`);
  return changes;
}

// --- containers: replies ---

/** `GET /containers/{id}/json` → the engine's inspect view. */
export function containerInspectFromWire(wire: ContainerInspectResponse): ContainerInspect {
  const config = wire.Config ?? {};
  const host = wire.HostConfig ?? {};
  const state = wire.State ?? {};
  const health = state.Health;
  const status = (state.Status ?? 'created') as ContainerInspect['state']['status'];
  const name = withoutSlash(wire.Name ?? '');
  const id = wire.Id ?? '';
  const resources = resourcesFromWire(host);
  const portBindings = portBindingsFromWire(host.PortBindings);
  const restartPolicy = host.RestartPolicy?.Name
    ? defined({ name: host.RestartPolicy.Name as 'no', maximumRetryCount: host.RestartPolicy.MaximumRetryCount || undefined })
    : { name: 'no' as const };
  const mounts = (host.Mounts ?? []).map((m) =>
    m.Type === 'tmpfs'
      ? { type: 'tmpfs' as const, target: m.Target ?? '', ...(m.ReadOnly ? { readOnly: true } : {}) }
      : m.Type === 'bind'
        ? { type: 'bind' as const, source: m.Source ?? '', target: m.Target ?? '', ...(m.ReadOnly ? { readOnly: true } : {}) }
        : defined({ type: 'volume' as const, source: m.Source || undefined, target: m.Target ?? '', readOnly: m.ReadOnly || undefined }),
  );
  const healthcheck = config.Healthcheck
    ? defined({
        test: config.Healthcheck.Test ?? undefined,
        intervalNs: config.Healthcheck.Interval ?? undefined,
        timeoutNs: config.Healthcheck.Timeout ?? undefined,
        startPeriodNs: config.Healthcheck.StartPeriod ?? undefined,
        startIntervalNs: config.Healthcheck.StartInterval ?? undefined,
        retries: config.Healthcheck.Retries ?? undefined,
      })
    : undefined;
  const engineConfig = defined({
    image: config.Image ?? '',
    name,
    env: config.Env ?? [],
    cmd: config.Cmd ?? [],
    entrypoint: config.Entrypoint ?? [],
    labels: config.Labels ?? {},
    user: config.User || undefined,
    workingDir: config.WorkingDir || undefined,
    hostname: config.Hostname || undefined,
    domainname: config.Domainname || undefined,
    tty: config.Tty ?? undefined,
    openStdin: config.OpenStdin ?? undefined,
    stdinOnce: config.StdinOnce ?? undefined,
    stopSignal: config.StopSignal || undefined,
    stopTimeout: config.StopTimeout ?? undefined,
    exposedPorts: config.ExposedPorts ? Object.keys(config.ExposedPorts) : undefined,
    healthcheck,
    init: host.Init ?? undefined,
    readOnlyRootfs: host.ReadonlyRootfs ?? undefined,
    privileged: host.Privileged ?? undefined,
    capAdd: host.CapAdd ?? undefined,
    capDrop: host.CapDrop ?? undefined,
    groupAdd: host.GroupAdd ?? undefined,
    sysctls: host.Sysctls ?? undefined,
    tmpfs: host.Tmpfs ?? undefined,
    shmSize: host.ShmSize ?? undefined,
    oomScoreAdj: host.OomScoreAdj ?? undefined,
    autoRemove: host.AutoRemove ?? undefined,
    publishAllPorts: host.PublishAllPorts ?? undefined,
    volumesFrom: host.VolumesFrom && host.VolumesFrom.length > 0 ? host.VolumesFrom : undefined,
    extraHosts: host.ExtraHosts ?? undefined,
    dns: host.Dns ?? undefined,
    networkMode: host.NetworkMode ?? undefined,
    portBindings,
    restartPolicy,
    resources,
    mounts: mounts.length > 0 ? mounts : undefined,
    ulimits: host.Ulimits?.map((u) => ({ name: u.Name as 'nofile', soft: u.Soft ?? 0, hard: u.Hard ?? 0 })),
  });
  const settings = wire.NetworkSettings ?? {};
  return {
    id,
    name,
    created: dateFromWire(wire.Created) ?? new Date(0),
    path: wire.Path ?? '',
    args: wire.Args ?? [],
    state: {
      status,
      pid: state.Pid ?? 0,
      exitCode: state.ExitCode ?? 0,
      error: state.Error ?? '',
      oomKilled: state.OOMKilled ?? false,
      ...(dateFromWire(state.StartedAt) ? { startedAt: dateFromWire(state.StartedAt)! } : {}),
      ...(dateFromWire(state.FinishedAt) ? { finishedAt: dateFromWire(state.FinishedAt)! } : {}),
      restartCount: wire.RestartCount ?? 0,
      // Not on the wire: docker keeps these to itself.
      manuallyStopped: false,
      restartCanceled: false,
      ...(health?.Status && health.Status !== 'none'
        ? {
            health: {
              status: health.Status as 'healthy',
              failingStreak: health.FailingStreak ?? 0,
              log: (health.Log ?? []).map((entry) => ({
                start: dateFromWire(entry.Start) ?? new Date(0),
                end: dateFromWire(entry.End) ?? new Date(0),
                exitCode: entry.ExitCode ?? 0,
                output: entry.Output ?? '',
              })),
            },
          }
        : {}),
    },
    image: wire.Image ?? '',
    imageName: config.Image ?? '',
    restartCount: wire.RestartCount ?? 0,
    driver: wire.Driver ?? '',
    platform: wire.Platform ?? '',
    mountLabel: wire.MountLabel ?? '',
    logPath: wire.LogPath ?? '',
    config: engineConfig as ContainerInspect['config'],
    hostConfig: {
      networkMode: host.NetworkMode ?? '',
      portBindings: portBindings ?? {},
      publishAllPorts: host.PublishAllPorts ?? false,
      restartPolicy,
      autoRemove: host.AutoRemove ?? false,
      resources,
    },
    networkSettings: {
      ports: portMapFromWire(settings.Ports),
      networks: Object.fromEntries(
        Object.entries(settings.Networks ?? {}).map(([network, endpoint]) => [network, endpointFromWire(endpoint, id, name)]),
      ),
      sandboxKey: settings.SandboxKey ?? '',
    },
    mounts: (wire.Mounts ?? []).map((m) =>
      defined({
        type: (m.Type ?? 'volume') as 'volume',
        name: m.Name || undefined,
        source: m.Source ?? '',
        destination: m.Destination ?? '',
        driver: m.Driver || undefined,
        mode: m.Mode ?? '',
        rw: m.RW ?? true,
      }),
    ),
    execIds: wire.ExecIDs ?? [],
    ...sizesFromWire(wire),
  };
}

function portBindingsFromWire(map: PortMap | null | undefined): ContainerInspect['hostConfig']['portBindings'] | undefined {
  if (!map) return undefined;
  return Object.fromEntries(
    Object.entries(map).map(([port, bindings]) => [port, (bindings ?? []).map((b) => defined({ hostIp: b.HostIp ?? undefined, hostPort: b.HostPort ?? '' }))]),
  );
}

function splitPort(key: string): { containerPort: number; protocol: PortBinding['protocol'] } {
  const [port, protocol] = key.split('/');
  return { containerPort: Number.parseInt(port ?? '0', 10), protocol: (protocol ?? 'tcp') as PortBinding['protocol'] };
}

function portMapFromWire(map: PortMap | null | undefined): Record<string, PortBinding[] | null> {
  return Object.fromEntries(
    Object.entries(map ?? {}).map(([key, bindings]) => [
      key,
      bindings === null || bindings === undefined
        ? null
        : bindings.map((b) => ({ ...splitPort(key), hostIp: b.HostIp ?? '', hostPort: Number.parseInt(b.HostPort ?? '0', 10) })),
    ]),
  );
}

/** A container's endpoint settings on one network → the engine's endpoint. */
export function endpointFromWire(wire: EndpointSettings, containerId: string, containerName: string): Endpoint {
  return defined({
    endpointId: wire.EndpointID ?? '',
    containerId,
    containerName,
    aliases: wire.Aliases ?? [],
    ipv4Address: wire.IPAddress ? `${wire.IPAddress}/${wire.IPPrefixLen ?? 32}` : undefined,
    ipv6Address: wire.GlobalIPv6Address ? `${wire.GlobalIPv6Address}/${wire.GlobalIPv6PrefixLen ?? 128}` : undefined,
    gateway: wire.Gateway || undefined,
    ipv6Gateway: wire.IPv6Gateway || undefined,
    macAddress: wire.MacAddress || undefined,
    ports: [],
  });
}

/** `GET /containers/json` entries. */
export function containerSummaryFromWire(wire: WireContainerSummary): ContainerSummary {
  return {
    id: wire.Id ?? '',
    names: (wire.Names ?? []).map(withoutSlash),
    image: wire.Image ?? '',
    imageId: wire.ImageID ?? '',
    command: wire.Command ?? '',
    created: unixDate(wire.Created),
    state: (wire.State ?? 'created') as ContainerSummary['state'],
    status: wire.Status ?? '',
    ports: (wire.Ports ?? [])
      .filter((p) => p.PublicPort !== undefined && p.PublicPort !== null)
      .map((p) => ({ containerPort: p.PrivatePort ?? 0, protocol: (p.Type ?? 'tcp') as PortBinding['protocol'], hostIp: p.IP ?? '', hostPort: p.PublicPort ?? 0 })),
    labels: wire.Labels ?? {},
    networks: Object.keys(wire.NetworkSettings?.Networks ?? {}),
    // Volume names as the engine lists them (binds: their source).
    mounts: (wire.Mounts ?? []).map((m) => m.Name || m.Source || m.Destination || ''),
    ...sizesFromWire(wire),
  };
}

/** `SizeRw` and `SizeRootFs` where the answer has them (the request's `size`). */
function sizesFromWire(wire: { SizeRw?: number | null; SizeRootFs?: number | null }): { sizeRw?: number; sizeRootFs?: number } {
  return {
    ...(typeof wire.SizeRw === 'number' ? { sizeRw: wire.SizeRw } : {}),
    ...(typeof wire.SizeRootFs === 'number' ? { sizeRootFs: wire.SizeRootFs } : {}),
  };
}

/** `GET /exec/{id}/json`. */
export function execInspectFromWire(wire: ExecInspectResponse): ExecInspect {
  const process = wire.ProcessConfig ?? {};
  return {
    id: wire.ID ?? '',
    containerId: wire.ContainerID ?? '',
    running: wire.Running ?? false,
    // docker reports 0 (or null) before the exit; only a finished exec has a meaningful code.
    exitCode: wire.Running || wire.ExitCode === null || wire.ExitCode === undefined ? undefined : wire.ExitCode,
    pid: wire.Pid ?? 0,
    processConfig: {
      entrypoint: process.entrypoint ?? '',
      arguments: process.arguments ?? [],
      user: process.user ?? '',
      tty: process.tty ?? false,
      privileged: process.privileged ?? false,
    },
    openStdin: wire.OpenStdin ?? false,
    openStdout: wire.OpenStdout ?? false,
    openStderr: wire.OpenStderr ?? false,
  };
}

/** One sample of `GET /containers/{id}/stats`. */
export function containerStatsFromWire(wire: ContainerStatsResponse): ContainerStats {
  const cpu = wire.cpu_stats ?? {};
  return {
    read: dateFromWire(wire.read) ?? new Date(),
    id: wire.id ?? '',
    name: withoutSlash(wire.name ?? ''),
    cpu: {
      totalUsageNs: cpu.cpu_usage?.total_usage ?? 0,
      systemUsageNs: cpu.system_cpu_usage ?? 0,
      onlineCpus: cpu.online_cpus ?? 0,
    },
    memory: { usage: wire.memory_stats?.usage ?? 0, limit: wire.memory_stats?.limit ?? 0 },
    pids: wire.pids_stats?.current ?? 0,
    networks: Object.fromEntries(
      Object.entries(wire.networks ?? {}).map(([name, stats]) => [
        name,
        {
          rxBytes: stats.rx_bytes ?? 0,
          rxPackets: stats.rx_packets ?? 0,
          rxErrors: stats.rx_errors ?? 0,
          rxDropped: stats.rx_dropped ?? 0,
          txBytes: stats.tx_bytes ?? 0,
          txPackets: stats.tx_packets ?? 0,
          txErrors: stats.tx_errors ?? 0,
          txDropped: stats.tx_dropped ?? 0,
        },
      ]),
    ),
  };
}

/** `GET /containers/{id}/top`. */
export function topFromWire(wire: { Titles?: string[] | null; Processes?: string[][] | null }): TopResult {
  return { titles: wire.Titles ?? [], processes: wire.Processes ?? [] };
}

/** `GET /containers/{id}/changes`: docker's kinds 0 (modified), 1 (added), 2 (deleted). */
export function changeFromWire(wire: { Path?: string | null; Kind?: number | null }): ContainerChange {
  const kinds = ['C', 'A', 'D'] as const;
  return { path: wire.Path ?? '', kind: kinds[wire.Kind ?? 0] ?? 'C' } as ContainerChange;
}

/** The decoded `X-Docker-Container-Path-Stat`. */
export function pathStatFromWire(wire: { name: string; size: number; mode: number; mtime: string; linkTarget: string }): ContainerPathStat {
  return { name: wire.name, size: wire.size, mode: wire.mode, mtime: dateFromWire(wire.mtime) ?? new Date(0), linkTarget: wire.linkTarget };
}

// --- images ---

/** `GET /images/json` entries. */
export function imageSummaryFromWire(wire: WireImageSummary): ImageSummary {
  return {
    id: wire.Id ?? '',
    parentId: wire.ParentId ?? '',
    // docker lists `<none>:<none>` for untagged images on old API versions.
    repoTags: (wire.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>'),
    repoDigests: (wire.RepoDigests ?? []).filter((digest) => digest !== '<none>@<none>'),
    created: unixDate(wire.Created),
    size: wire.Size ?? 0,
    labels: wire.Labels ?? {},
    containers: wire.Containers ?? -1,
  };
}

/** `GET /images/{name}/json`. */
export function imageInspectFromWire(wire: WireImageInspect): ImageInspect {
  const config = (wire.Config ?? {}) as Record<string, unknown>;
  // docker fills every field of the runtime config; the engine's view holds the set ones only.
  const runtime = Object.fromEntries(
    Object.entries(config).filter(([, v]) => v !== null && v !== '' && v !== false && !(Array.isArray(v) && v.length === 0)),
  ) as ImageRuntimeConfig;
  const lastTagTime = dateFromWire(wire.Metadata?.LastTagTime);
  const created = dateFromWire(wire.Created);
  return defined({
    id: wire.Id ?? '',
    repoTags: wire.RepoTags ?? [],
    repoDigests: wire.RepoDigests ?? [],
    parent: wire.Parent ?? '',
    comment: wire.Comment ?? '',
    created,
    author: wire.Author ?? '',
    config: runtime,
    architecture: wire.Architecture ?? '',
    variant: wire.Variant || undefined,
    os: wire.Os ?? '',
    osVersion: wire.OsVersion || undefined,
    size: wire.Size ?? 0,
    rootFs: { type: wire.RootFS?.Type ?? 'layers', layers: wire.RootFS?.Layers ?? [] },
    lastTagTime,
  });
}

/** `GET /images/{name}/history` entries. */
export function historyFromWire(wire: ImageHistoryResponseItem): ImageHistoryEntry {
  return {
    id: wire.Id ?? '<missing>',
    created: unixDate(wire.Created),
    createdBy: wire.CreatedBy ?? '',
    tags: wire.Tags ?? [],
    size: wire.Size ?? 0,
    comment: wire.Comment ?? '',
  };
}

/** `DELETE /images/{name}` and prune entries. */
export function deleteEntryFromWire(wire: ImageDeleteResponseItem): ImageDeleteEntry {
  return wire.Untagged ? { untagged: wire.Untagged } : { deleted: wire.Deleted ?? '' };
}

// --- networks ---

/** `POST /networks/create`. */
export function networkCreateToWire(options: NetworkCreateOptions): Record<string, unknown> {
  return defined({
    Name: options.name,
    // Refused by dockerd ≥ 1.44 as a no-op, needed before it for a name conflict to be a 409.
    CheckDuplicate: true,
    Driver: options.driver,
    Internal: options.internal,
    Attachable: options.attachable,
    EnableIPv6: options.enableIpv6,
    IPAM: options.ipam
      ? defined({
          Driver: options.ipam.driver,
          Config: options.ipam.config?.map((pool) =>
            defined({ Subnet: pool.subnet, Gateway: pool.gateway, IPRange: pool.ipRange, AuxiliaryAddresses: pool.auxAddresses }),
          ),
        })
      : undefined,
    Labels: options.labels,
    Options: options.options,
  });
}

/** `GET /networks/{id}`. */
export function networkFromWire(wire: WireNetwork): NetworkInspect {
  return {
    id: wire.Id ?? '',
    name: wire.Name ?? '',
    driver: wire.Driver ?? '',
    scope: 'local',
    created: wire.Created ?? '',
    internal: wire.Internal ?? false,
    attachable: wire.Attachable ?? false,
    enableIpv6: wire.EnableIPv6 ?? false,
    ipam: {
      driver: 'default',
      config: (wire.IPAM?.Config ?? []).map((pool) =>
        defined({
          subnet: pool.Subnet ?? '',
          gateway: pool.Gateway ?? '',
          ipRange: pool.IPRange || undefined,
          auxAddresses: pool.AuxiliaryAddresses ?? undefined,
        }),
      ),
    },
    labels: wire.Labels ?? {},
    options: wire.Options ?? {},
    containers: Object.fromEntries(
      Object.entries(wire.Containers ?? {}).map(([id, c]) => [
        id,
        defined({
          endpointId: c.EndpointID ?? '',
          containerId: id,
          containerName: c.Name ?? '',
          aliases: [],
          ipv4Address: c.IPv4Address || undefined,
          ipv6Address: c.IPv6Address || undefined,
          macAddress: c.MacAddress || undefined,
          ports: [],
        }),
      ]),
    ),
  };
}

// --- volumes ---

/** `GET /volumes/{name}`. */
export function volumeFromWire(wire: WireVolume): Volume {
  return defined({
    name: wire.Name ?? '',
    driver: wire.Driver ?? '',
    mountpoint: wire.Mountpoint ?? '',
    createdAt: dateFromWire(wire.CreatedAt) ?? new Date(0),
    labels: wire.Labels ?? {},
    options: wire.Options ?? {},
    scope: (wire.Scope ?? 'local') as Volume['scope'],
    status: (wire.Status ?? undefined) as Volume['status'],
    usageData: wire.UsageData ? { size: wire.UsageData.Size ?? -1, refCount: wire.UsageData.RefCount ?? -1 } : undefined,
  });
}

// --- events ---

const eventTypes = new Set(['container', 'image', 'network', 'volume']);

/**
 * One `/events` message → an engine event, or undefined for object types the engine does not
 * have (daemon, plugin, builder…). docker folds a detail into some actions
 * (`exec_start: sh -c …`, `health_status: healthy`); it goes back into the attributes the
 * engine uses (`commandLine`, `healthStatus`). `seq` is the client's arrival order.
 */
export function eventFromWire(wire: EventMessage, seq: number): EngineEvent | undefined {
  const type = wire.Type ?? '';
  if (!eventTypes.has(type)) return undefined;
  const raw = wire.Action ?? '';
  const colon = raw.indexOf(': ');
  const action = colon < 0 ? raw : raw.slice(0, colon);
  const detail = colon < 0 ? undefined : raw.slice(colon + 2);
  const attributes: Record<string, string> = { ...(wire.Actor?.Attributes ?? {}) };
  if (detail !== undefined) {
    if (action === 'health_status') attributes.healthStatus = detail;
    else if (action.startsWith('exec_')) attributes.commandLine = detail;
  }
  const time = wire.timeNano ? new Date(Math.floor(wire.timeNano / 1e6)) : unixDate(wire.time);
  return {
    type,
    action,
    actor: { id: wire.Actor?.ID ?? '', attributes },
    scope: 'local',
    time,
    seq,
  } as EngineEvent;
}

// --- system ---

/** `GET /info`. */
export function infoFromWire(wire: SystemInfo): EngineInfo {
  const running = wire.ContainersRunning ?? 0;
  const paused = wire.ContainersPaused ?? 0;
  const stopped = wire.ContainersStopped ?? 0;
  return {
    id: wire.ID ?? '',
    name: wire.Name ?? '',
    containers: wire.Containers ?? running + paused + stopped,
    containersRunning: running,
    containersPaused: paused,
    containersStopped: stopped,
    images: wire.Images ?? 0,
    driver: wire.Driver ?? '',
    dataRoot: wire.DockerRootDir ?? '',
    operatingSystem: wire.OperatingSystem ?? '',
    osType: wire.OSType ?? '',
    architecture: wire.Architecture ?? '',
    kernelVersion: wire.KernelVersion ?? '',
    ncpu: wire.NCPU ?? 0,
    memTotal: wire.MemTotal ?? 0,
    serverVersion: wire.ServerVersion ?? '',
    plugins: { volume: wire.Plugins?.Volume ?? [], network: wire.Plugins?.Network ?? [] },
    defaultRuntime: wire.DefaultRuntime ?? '',
    // The wire has no engine kind: berthd's memory engine shows as its fake runtime (or a label
    // saying so); anything else — dockerd included — runs real containers.
    engineKind: wire.DefaultRuntime === 'fake' || (wire.Labels ?? []).includes('io.berth.engine-kind=memory') ? 'memory' : 'linux',
    warnings: wire.Warnings ?? [],
  };
}

/** `GET /version`. */
export function versionFromWire(wire: SystemVersion): EngineVersion {
  const components = (wire.Components ?? []).map((c) => ({ name: c.Name ?? '', version: c.Version ?? '' }));
  const node = components.find((c) => c.name.toLowerCase() === 'node');
  return {
    version: wire.Version ?? '',
    apiVersion: wire.ApiVersion ?? '',
    minApiVersion: wire.MinAPIVersion ?? '',
    os: wire.Os ?? '',
    arch: wire.Arch ?? '',
    kernelVersion: wire.KernelVersion ?? '',
    nodeVersion: node?.version ?? '',
    components,
  };
}

// --- progress streams ---

type ProgressEventOf<H> = H extends { progress: AsyncIterable<infer E> } ? E : never;
type PullEvent = ProgressEventOf<ImagePullHandle>;
type PushEvent = ProgressEventOf<ImagePushHandle>;

const pullStates: Record<string, 'waiting' | 'exists' | 'downloading' | 'verifying' | 'downloaded' | 'extracting' | 'done'> = {
  'Pulling fs layer': 'waiting',
  Waiting: 'waiting',
  'Already exists': 'exists',
  Downloading: 'downloading',
  'Verifying Checksum': 'verifying',
  'Download complete': 'downloaded',
  Extracting: 'extracting',
  'Pull complete': 'done',
};

const pushStates: Record<string, 'waiting' | 'exists' | 'mounted' | 'pushing' | 'pushed'> = {
  Preparing: 'waiting',
  Waiting: 'waiting',
  'Layer already exists': 'exists',
  Pushing: 'pushing',
  Pushed: 'pushed',
};

/**
 * A pull progress message → a layer event, or undefined for the messages that are not about a
 * layer. docker names layers by a 12-hex short ID only, so `digest` is `sha256:<short ID>`.
 */
export function pullEventFromWire(message: ProgressMessage): PullEvent | undefined {
  const state = pullStates[message.status ?? ''];
  if (!state || !message.id) return undefined;
  return {
    type: 'layer',
    state,
    digest: `sha256:${message.id}`,
    bytes: message.progressDetail?.current ?? 0,
    total: message.progressDetail?.total ?? 0,
  };
}

/** A push progress message → a blob event (`digest` is `sha256:<short ID>` as for pulls), or undefined. */
export function pushEventFromWire(message: ProgressMessage): PushEvent | undefined {
  const status = message.status ?? '';
  const state = status.startsWith('Mounted from') ? 'mounted' : pushStates[status];
  if (!state || !message.id) return undefined;
  return {
    type: 'blob',
    state,
    digest: `sha256:${message.id}`,
    bytes: message.progressDetail?.current ?? 0,
    total: message.progressDetail?.total ?? 0,
  };
}
