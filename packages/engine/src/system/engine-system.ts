import { createHash } from 'node:crypto';
import { arch, cpus, hostname, platform, release, totalmem, type } from 'node:os';
import type { ContainersApi, ImagesApi, NetworksApi, SystemApi, VolumesApi } from '../engine.js';
import type { EngineContext } from '../internal/engine-context.js';
import { toVolume } from '../volumes/engine-volumes.js';
import type { SystemPruneReport } from './system-types.js';

/** The engine's version (this package's). */
export const ENGINE_VERSION = '0.1.0';
/** The Docker Engine API version whose semantics the engine follows. */
export const DOCKER_API_VERSION = '1.47';
const MIN_DOCKER_API_VERSION = '1.24';

const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** The engine's {@link SystemApi}: facts gathered from the other parts, and prune over all of them. */
export function createSystemApi(
  context: EngineContext,
  apis: { images: ImagesApi; containers: ContainersApi; networks: NetworksApi; volumes: VolumesApi },
): SystemApi {
  const { components } = context;
  return {
    async info() {
      const counts = context.containerCount();
      const images = await context.images.list();
      return {
        id: createHash('sha256').update(components.dataRoot).digest('hex').slice(0, 32),
        name: components.name,
        containers: counts.total,
        containersRunning: counts.running,
        containersPaused: counts.paused,
        containersStopped: counts.stopped,
        images: images.length,
        driver: components.snapshotterName,
        dataRoot: components.dataRoot,
        operatingSystem: `${type()} ${release()}`,
        osType: platform(),
        architecture: goArch[arch()] ?? arch(),
        kernelVersion: release(),
        ncpu: cpus().length,
        memTotal: totalmem(),
        serverVersion: ENGINE_VERSION,
        plugins: { volume: context.volumes.driverNames(), network: [...new Set(components.networks.listNetworks().map((n) => n.driver))].sort() },
        defaultRuntime: components.runtimeName,
        engineKind: components.kind,
        warnings: [],
      };
    },

    async version() {
      return {
        version: ENGINE_VERSION,
        apiVersion: DOCKER_API_VERSION,
        minApiVersion: MIN_DOCKER_API_VERSION,
        os: platform(),
        arch: goArch[arch()] ?? arch(),
        kernelVersion: release(),
        nodeVersion: process.version,
        components: [
          { name: 'Engine', version: ENGINE_VERSION },
          { name: components.runtimeName, version: ENGINE_VERSION },
        ],
      };
    },

    async df() {
      const [images, containers, volumes] = await Promise.all([
        apis.images.list(),
        apis.containers.list({ all: true, size: true }),
        context.volumes.list({ size: true }),
      ]);
      let layersSize = 0;
      for await (const blob of components.content.list()) layersSize += blob.size;
      return {
        layersSize,
        images,
        // Measured by the listing (`size`), as dockerd's df lists its containers.
        containers: containers.map((container) => ({ ...container, sizeRw: container.sizeRw ?? 0 })),
        volumes: volumes.Volumes.map(toVolume),
      };
    },

    async prune(options = {}) {
      const filters = options.filters ?? {};
      const report: SystemPruneReport = { containersDeleted: [], imagesDeleted: [], networksDeleted: [], volumesDeleted: [], spaceReclaimed: 0 };
      const containers = await apis.containers.prune({ filters });
      report.containersDeleted = containers.containersDeleted;
      report.spaceReclaimed += containers.spaceReclaimed;
      report.networksDeleted = (await apis.networks.prune({ filters })).networksDeleted;
      if (options.volumes) {
        const labelFilters = Object.fromEntries(Object.entries(filters).filter(([key]) => key === 'label' || key === 'label!'));
        const volumes = await apis.volumes.prune({ filters: labelFilters, ...(options.signal ? { signal: options.signal } : {}) });
        report.volumesDeleted = volumes.volumesDeleted;
        report.spaceReclaimed += volumes.spaceReclaimed;
      }
      const images = await apis.images.prune({
        filters: { ...filters, ...(options.all ? { dangling: ['false'] } : {}) },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      report.imagesDeleted = images.imagesDeleted;
      report.spaceReclaimed += images.spaceReclaimed;
      return report;
    },
  };
}
