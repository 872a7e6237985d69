import type { DiskUsage, EngineInfo, EngineVersion } from '@berth/engine';
import type { SystemDataUsageResponse, SystemInfo, SystemVersion } from '../generated/engine-api-schemas.js';
import { containerSummaryToWire } from './container-view-codec.js';
import { imageSummaryToWire } from './image-codec.js';
import { volumeToWire } from './volume-codec.js';

/** Daemon settings `docker info` shows next to the engine's facts. */
export interface InfoExtras {
  registryMirrors?: readonly string[];
  insecureRegistries?: readonly string[];
  debug?: boolean;
  defaultAddressPools?: ReadonlyArray<{ base: string; size: number }>;
  eventListeners?: number;
}

/** `docker info` → docker's `SystemInfo` (cgroup features reported as available, swarm inactive). */
export function engineInfoToWire(info: EngineInfo, extras: InfoExtras = {}): SystemInfo {
  return {
    ID: info.id,
    Containers: info.containers,
    ContainersRunning: info.containersRunning,
    ContainersPaused: info.containersPaused,
    ContainersStopped: info.containersStopped,
    Images: info.images,
    Driver: info.driver,
    DriverStatus: [],
    DockerRootDir: info.dataRoot,
    Plugins: { Volume: info.plugins.volume, Network: info.plugins.network, Authorization: null, Log: ['json-file'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    OomKillDisable: false,
    IPv4Forwarding: true,
    Debug: extras.debug ?? false,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: '2',
    NEventsListener: extras.eventListeners ?? 0,
    KernelVersion: info.kernelVersion,
    OperatingSystem: info.operatingSystem,
    OSVersion: '',
    OSType: info.osType,
    Architecture: info.architecture,
    NCPU: info.ncpu,
    MemTotal: info.memTotal,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      InsecureRegistryCIDRs: ['127.0.0.0/8'],
      IndexConfigs: Object.fromEntries(
        (extras.insecureRegistries ?? []).map((name) => [name, { Name: name, Mirrors: [], Secure: false, Official: false }]),
      ),
      Mirrors: [...(extras.registryMirrors ?? [])],
    },
    Name: info.name,
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: info.serverVersion,
    Runtimes: { [info.defaultRuntime]: { path: info.defaultRuntime } },
    DefaultRuntime: info.defaultRuntime,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: 'catatonit',
    SecurityOptions: [],
    DefaultAddressPools: (extras.defaultAddressPools ?? []).map((p) => ({ Base: p.base, Size: p.size })),
    Warnings: info.warnings,
  };
}

/** `docker version` → docker's `SystemVersion`. */
export function engineVersionToWire(version: EngineVersion): SystemVersion {
  const engine = {
    ApiVersion: version.apiVersion,
    MinAPIVersion: version.minApiVersion,
    GitCommit: '',
    GoVersion: version.nodeVersion,
    Os: version.os,
    Arch: version.arch,
    KernelVersion: version.kernelVersion,
    BuildTime: '',
  };
  return {
    Platform: { Name: 'Berth Engine' },
    // The docker CLI prints the server's API, Go (here Node), commit, build and OS/Arch from
    // the Engine component's details, not from the top-level fields.
    Components: version.components.map((c) => ({
      Name: c.name,
      Version: c.version,
      Details: c.name === 'Engine' ? { ...engine, Experimental: 'false' } : {},
    })),
    Version: version.version,
    ...engine,
    Experimental: false,
  };
}

/** `docker system df` → docker's `SystemDataUsageResponse` (no build cache). */
export function diskUsageToWire(df: DiskUsage): SystemDataUsageResponse {
  return {
    LayersSize: df.layersSize,
    Images: df.images.map(imageSummaryToWire),
    Containers: df.containers.map((c) => ({ ...containerSummaryToWire(c), SizeRw: c.sizeRw, SizeRootFs: c.sizeRootFs ?? 0 })),
    Volumes: df.volumes.map(volumeToWire),
    BuildCache: [],
  };
}
