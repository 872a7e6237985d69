import type {
  ContainerChange,
  ContainerInspect,
  ContainerStats,
  ContainerSummary,
  ExecInspect,
  NetworkInspect,
  PortBindings,
  TopResult,
  WaitResult,
} from '@berth/engine';
import type { ContainerStatsResponse } from '../container-stats.js';
import type {
  ContainerInspectResponse,
  ContainerSummary as WireContainerSummary,
  ContainerTopResponse,
  ContainerWaitResponse,
  EndpointSettings,
  ExecInspectResponse,
  FilesystemChange,
  HostConfig,
  MountPoint,
  Port,
  PortMap,
} from '../generated/engine-api-schemas.js';
import { unixSeconds, wireTime } from './wire-time.js';

type Endpoint = NetworkInspect['containers'][string];
type EnginePortBinding = Endpoint['ports'][number];

/** The engine's container inspect → docker's `ContainerInspectResponse` (names get their leading `/`). */
export function containerInspectToWire(c: ContainerInspect): ContainerInspectResponse {
  const s = c.state;
  const status = s.status === 'removed' ? 'dead' : s.status;
  const config = c.config;
  return {
    Id: c.id,
    Created: c.created.toISOString(),
    Path: c.path,
    Args: c.args,
    State: {
      Status: status,
      Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: wireTime(s.startedAt),
      FinishedAt: wireTime(s.finishedAt),
      ...(s.health
        ? {
            Health: {
              Status: s.health.status,
              FailingStreak: s.health.failingStreak,
              Log: s.health.log.map((l) => ({ Start: l.start.toISOString(), End: l.end.toISOString(), ExitCode: l.exitCode, Output: l.output })),
            },
          }
        : {}),
    },
    Image: c.image,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: c.logPath,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: c.driver,
    Platform: c.platform,
    MountLabel: c.mountLabel,
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: c.execIds.length > 0 ? c.execIds : null,
    HostConfig: hostConfigToWire(c),
    GraphDriver: { Name: c.driver, Data: null },
    ...sizesToWire(c),
    Mounts: c.mounts.map(
      (m): MountPoint => ({
        Type: m.type,
        ...(m.name !== undefined ? { Name: m.name } : {}),
        Source: m.source,
        Destination: m.destination,
        ...(m.driver !== undefined ? { Driver: m.driver } : {}),
        Mode: m.mode,
        RW: m.rw,
        Propagation: '',
      }),
    ),
    Config: {
      Hostname: config.hostname ?? c.id.slice(0, 12),
      Domainname: config.domainname ?? '',
      User: config.user ?? '',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      ...(config.exposedPorts && config.exposedPorts.length > 0 ? { ExposedPorts: Object.fromEntries(config.exposedPorts.map((p) => [p, {}])) } : {}),
      Tty: config.tty ?? false,
      OpenStdin: config.openStdin ?? false,
      StdinOnce: config.stdinOnce ?? false,
      Env: config.env,
      Cmd: config.cmd,
      Image: c.imageName,
      Volumes: null,
      WorkingDir: config.workingDir ?? '',
      Entrypoint: config.entrypoint.length > 0 ? config.entrypoint : null,
      OnBuild: null,
      Labels: config.labels,
      ...(config.stopSignal ? { StopSignal: config.stopSignal } : {}),
      ...(config.stopTimeout !== undefined ? { StopTimeout: config.stopTimeout } : {}),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      SandboxKey: c.networkSettings.sandboxKey,
      Ports: portMapToWire(c.networkSettings.ports),
      ...primaryEndpoint(c.networkSettings.networks),
      Networks: Object.fromEntries(Object.entries(c.networkSettings.networks).map(([name, e]) => [name, endpointToWire(e)])),
    },
  };
}

function hostConfigToWire(c: ContainerInspect): HostConfig {
  const h = c.hostConfig;
  const r = h.resources;
  const config = c.config;
  return {
    NetworkMode: h.networkMode,
    PortBindings: portBindingsToWire(h.portBindings),
    RestartPolicy: { Name: h.restartPolicy.name, MaximumRetryCount: h.restartPolicy.maximumRetryCount ?? 0 },
    AutoRemove: h.autoRemove,
    PublishAllPorts: h.publishAllPorts,
    VolumesFrom: config.volumesFrom ?? null,
    Binds: null,
    Mounts: (config.mounts ?? []).map((m) => ({
      Type: m.type,
      Target: m.target,
      ...('source' in m && m.source !== undefined ? { Source: m.source } : {}),
      ...(m.readOnly ? { ReadOnly: true } : {}),
    })),
    Memory: r.memory ?? 0,
    MemorySwap: r.memorySwap ?? 0,
    MemoryReservation: r.memoryReservation ?? 0,
    MemorySwappiness: r.memorySwappiness ?? null,
    OomKillDisable: r.oomKillDisable ?? false,
    CpuShares: r.cpuShares ?? 0,
    CpuPeriod: r.cpuPeriod ?? 0,
    CpuQuota: r.cpuQuota ?? 0,
    NanoCpus: r.nanoCpus ?? 0,
    CpusetCpus: r.cpusetCpus ?? '',
    CpusetMems: r.cpusetMems ?? '',
    PidsLimit: r.pidsLimit ?? null,
    BlkioWeight: r.blkioWeight ?? 0,
    Privileged: config.privileged ?? false,
    ReadonlyRootfs: config.readOnlyRootfs ?? false,
    CapAdd: config.capAdd ?? null,
    CapDrop: config.capDrop ?? null,
    Init: config.init ?? null,
    Tmpfs: config.tmpfs ?? null,
    Sysctls: config.sysctls ?? null,
    ShmSize: config.shmSize ?? 64 * 1024 * 1024,
    OomScoreAdj: config.oomScoreAdj ?? 0,
    ExtraHosts: config.extraHosts ?? null,
    Dns: config.dns ?? [],
    GroupAdd: config.groupAdd ?? null,
    Ulimits: config.ulimits ? config.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })) : null,
    LogConfig: { Type: 'json-file', Config: {} },
    ConsoleSize: [0, 0],
  };
}

/** Port bindings as requested (`PortBindings` of a HostConfig). */
export function portBindingsToWire(bindings: PortBindings): PortMap {
  return Object.fromEntries(
    Object.entries(bindings).map(([port, list]) => [port, list.map((b) => ({ HostIp: b.hostIp ?? '', HostPort: String(b.hostPort ?? '') }))]),
  );
}

/** Published ports (`NetworkSettings.Ports`): exposed but unpublished ports map to `null`. */
export function portMapToWire(ports: Record<string, EnginePortBinding[] | null>): PortMap {
  return Object.fromEntries(
    Object.entries(ports).map(([port, list]) => [port, list === null ? null : list.map((b) => ({ HostIp: b.hostIp, HostPort: String(b.hostPort) }))]),
  );
}

/** An endpoint of a container on a network → docker's `EndpointSettings`. */
export function endpointToWire(e: Endpoint, networkId = ''): EndpointSettings {
  const [address, prefix] = splitCidr(e.ipv4Address);
  const [address6, prefix6] = splitCidr(e.ipv6Address);
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: e.aliases.length > 0 ? e.aliases : null,
    MacAddress: e.macAddress ?? '',
    NetworkID: networkId,
    EndpointID: e.endpointId,
    Gateway: e.gateway ?? '',
    IPAddress: address,
    IPPrefixLen: prefix,
    IPv6Gateway: e.ipv6Gateway ?? '',
    GlobalIPv6Address: address6,
    GlobalIPv6PrefixLen: prefix6,
    DNSNames: [e.containerName, e.containerId.slice(0, 12), ...e.aliases],
  };
}

// docker's legacy top-level fields carry the default bridge's endpoint.
function primaryEndpoint(networks: Record<string, Endpoint>): Partial<ContainerInspectResponse['NetworkSettings'] & object> {
  const bridge = networks['bridge'];
  if (!bridge) return { EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' };
  const [address, prefix] = splitCidr(bridge.ipv4Address);
  return { EndpointID: bridge.endpointId, Gateway: bridge.gateway ?? '', IPAddress: address, IPPrefixLen: prefix, MacAddress: bridge.macAddress ?? '' };
}

function splitCidr(cidr: string | undefined): [string, number] {
  if (!cidr) return ['', 0];
  const [address = '', prefix = '0'] = cidr.split('/');
  return [address, Number.parseInt(prefix, 10) || 0];
}

/** One line of `docker ps` → docker's `ContainerSummary` (names get their leading `/`). */
export function containerSummaryToWire(c: ContainerSummary): WireContainerSummary {
  return {
    Id: c.id,
    Names: c.names.map((n) => `/${n}`),
    Image: c.image,
    ImageID: c.imageId,
    Command: c.command,
    Created: unixSeconds(c.created),
    Ports: c.ports.map(portToWire),
    Labels: c.labels,
    State: c.state,
    Status: c.status,
    HostConfig: { NetworkMode: c.networks[0] ?? 'bridge' },
    NetworkSettings: { Networks: Object.fromEntries(c.networks.map((n) => [n, {}])) },
    // The summary names the container's volumes: `docker ps --format {{.Mounts}}` prints each `Name`.
    Mounts: c.mounts.map((name) => ({ Type: 'volume', Name: name })),
    ...sizesToWire(c),
  };
}

/** `SizeRw` and `SizeRootFs`, present exactly when the engine measured them (the request's `size`). */
function sizesToWire(c: { sizeRw?: number; sizeRootFs?: number }): { SizeRw?: number; SizeRootFs?: number } {
  return {
    ...(c.sizeRw !== undefined ? { SizeRw: c.sizeRw } : {}),
    ...(c.sizeRootFs !== undefined ? { SizeRootFs: c.sizeRootFs } : {}),
  };
}

function portToWire(p: EnginePortBinding): Port {
  return p.hostPort
    ? { IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol }
    : { PrivatePort: p.containerPort, Type: p.protocol };
}

/** `POST /containers/{id}/wait` body. */
export function waitResultToWire(result: WaitResult): ContainerWaitResponse {
  return { StatusCode: result.statusCode, ...(result.error !== undefined ? { Error: { Message: result.error } } : {}) };
}

/** `GET /containers/{id}/top` body. */
export function topResultToWire(top: TopResult): ContainerTopResponse {
  return { Titles: top.titles, Processes: top.processes };
}

/** `docker diff` kinds on the wire: 0 changed, 1 added, 2 deleted. */
export function changesToWire(changes: readonly ContainerChange[]): FilesystemChange[] {
  const kinds = { C: 0, A: 1, D: 2 } as const;
  return changes.map((c) => ({ Path: c.path, Kind: kinds[c.kind] }));
}

/** `GET /exec/{id}/json` body. */
export function execInspectToWire(e: ExecInspect): ExecInspectResponse {
  return {
    CanRemove: false,
    DetachKeys: '',
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode ?? null,
    ProcessConfig: {
      entrypoint: e.processConfig.entrypoint,
      arguments: e.processConfig.arguments,
      user: e.processConfig.user,
      tty: e.processConfig.tty,
      privileged: e.processConfig.privileged,
    },
    OpenStdin: e.openStdin,
    OpenStdout: e.openStdout,
    OpenStderr: e.openStderr,
    ContainerID: e.containerId,
    Pid: e.pid,
  };
}

/** One stats sample → docker's stats JSON (the fields the CLI's `docker stats` reads). */
export function containerStatsToWire(s: ContainerStats, previous?: ContainerStats): ContainerStatsResponse {
  const cpu = (x: ContainerStats | undefined) => ({
    cpu_usage: { total_usage: x?.cpu.totalUsageNs ?? 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: x?.cpu.systemUsageNs ?? 0,
    online_cpus: x?.cpu.onlineCpus ?? s.cpu.onlineCpus,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  return {
    read: s.read.toISOString(),
    preread: previous ? previous.read.toISOString() : '0001-01-01T00:00:00Z',
    name: `/${s.name}`,
    id: s.id,
    pids_stats: { current: s.pids },
    cpu_stats: cpu(s),
    precpu_stats: cpu(previous),
    memory_stats: { usage: s.memory.usage, limit: s.memory.limit, stats: {} },
    networks: Object.fromEntries(
      Object.entries(s.networks).map(([name, n]) => [
        name,
        { rx_bytes: n.rxBytes, tx_bytes: n.txBytes, rx_packets: n.rxPackets, tx_packets: n.txPackets, rx_errors: n.rxErrors, tx_errors: n.txErrors, rx_dropped: n.rxDropped, tx_dropped: n.txDropped },
      ]),
    ),
  } as ContainerStatsResponse;
}
