import { SystemDataUsageResponseSchema, SystemInfoSchema, SystemVersionSchema } from '@berth/docker-api';
import type { ContainersApi, ImagesApi, NetworksApi, SystemApi, VolumesApi } from '@berth/engine';
import type { ClientContext } from './internal/client-context.js';
import { containerSummaryFromWire, imageSummaryFromWire, infoFromWire, versionFromWire, volumeFromWire } from './wire-codec.js';

/**
 * System facts over `/info`, `/version`, `/system/df`. docker has no prune-everything
 * endpoint: `prune` does what `docker system prune` does, one prune per object type.
 */
export function clientSystem(
  { transport }: ClientContext,
  parts: { containers: ContainersApi; images: ImagesApi; networks: NetworksApi; volumes: VolumesApi },
): SystemApi {
  return {
    async info() {
      return infoFromWire(await transport.json({ method: 'GET', path: '/info' }, SystemInfoSchema));
    },
    async version() {
      return versionFromWire(await transport.json({ method: 'GET', path: '/version' }, SystemVersionSchema));
    },
    async df() {
      const wire = await transport.json({ method: 'GET', path: '/system/df' }, SystemDataUsageResponseSchema);
      return {
        layersSize: wire.LayersSize ?? 0,
        images: (wire.Images ?? []).map(imageSummaryFromWire),
        containers: (wire.Containers ?? []).map((c) => ({ ...containerSummaryFromWire(c), sizeRw: c.SizeRw ?? 0 })),
        volumes: (wire.Volumes ?? []).map(volumeFromWire),
      };
    },
    async prune(options = {}) {
      const filters = options.filters ?? {};
      const containers = await parts.containers.prune({ filters });
      const networks = await parts.networks.prune({ filters });
      const volumes = options.volumes ? await parts.volumes.prune({ filters, ...(options.signal ? { signal: options.signal } : {}) }) : undefined;
      const images = await parts.images.prune({
        filters: { ...filters, dangling: [options.all ? 'false' : 'true'] },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return {
        containersDeleted: containers.containersDeleted,
        imagesDeleted: images.imagesDeleted,
        networksDeleted: networks.networksDeleted,
        volumesDeleted: volumes?.volumesDeleted ?? [],
        spaceReclaimed: containers.spaceReclaimed + images.spaceReclaimed + (volumes?.spaceReclaimed ?? 0),
      };
    },
  };
}
