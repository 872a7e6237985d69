import type { Volume as ServiceVolume } from '@berth/volume';
import type { VolumesApi } from '../engine.js';
import type { EngineContext } from '../internal/engine-context.js';
import type { Volume } from './volume-types.js';

/** The volume service's docker-named volume, camelCased. */
export function toVolume(volume: ServiceVolume): Volume {
  return {
    name: volume.Name,
    driver: volume.Driver,
    mountpoint: volume.Mountpoint,
    createdAt: new Date(volume.CreatedAt),
    labels: volume.Labels ?? {},
    options: volume.Options ?? {},
    scope: volume.Scope,
    ...(volume.Status ? { status: volume.Status } : {}),
    ...(volume.UsageData ? { usageData: { size: volume.UsageData.Size, refCount: volume.UsageData.RefCount } } : {}),
  };
}

/**
 * The engine's {@link VolumesApi} over the volume service. Events (`create`, `destroy`,
 * `prune`) come from the service's `onEvent`, wired when the engine opened it.
 */
export function createVolumesApi(context: EngineContext): VolumesApi {
  const service = context.volumes;
  return {
    async create(options = {}) {
      return toVolume(
        await service.create({
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(options.driver !== undefined ? { driver: options.driver } : {}),
          ...(options.driverOptions ? { driverOptions: options.driverOptions } : {}),
          ...(options.labels ? { labels: options.labels } : {}),
        }),
      );
    },
    async inspect(name) {
      return toVolume(await service.inspect(name));
    },
    async list(options = {}) {
      const result = await service.list(options.filters ? { filters: options.filters } : {});
      return { volumes: result.Volumes.map(toVolume), warnings: result.Warnings };
    },
    async remove(name, options = {}) {
      await service.remove(name, options);
    },
    async prune(options = {}) {
      const report = await service.prune({
        ...(options.filters ? { filters: options.filters } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { volumesDeleted: report.VolumesDeleted, spaceReclaimed: report.SpaceReclaimed };
    },
  };
}
