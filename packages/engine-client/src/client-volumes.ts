import { VolumeListResponseSchema, VolumePruneResponseSchema, VolumeSchema } from '@berth/docker-api';
import type { VolumesApi } from '@berth/engine';
import { type ClientContext, filtersQuery, segment } from './internal/client-context.js';
import { volumeFromWire } from './wire-codec.js';

/** Volumes over `/volumes/*`. */
export function clientVolumes({ transport }: ClientContext): VolumesApi {
  const path = (name: string) => `/volumes/${segment(name)}`;
  return {
    async create(options = {}) {
      const body = {
        ...(options.name !== undefined ? { Name: options.name } : {}),
        ...(options.driver !== undefined ? { Driver: options.driver } : {}),
        ...(options.driverOptions !== undefined ? { DriverOpts: options.driverOptions } : {}),
        ...(options.labels !== undefined ? { Labels: options.labels } : {}),
      };
      return volumeFromWire(await transport.json({ method: 'POST', path: '/volumes/create', json: body }, VolumeSchema));
    },
    async inspect(name) {
      return volumeFromWire(await transport.json({ method: 'GET', path: path(name) }, VolumeSchema));
    },
    async list(options = {}) {
      const reply = await transport.json({ method: 'GET', path: '/volumes', query: { filters: filtersQuery(options.filters) } }, VolumeListResponseSchema);
      return { volumes: (reply.Volumes ?? []).map(volumeFromWire), warnings: reply.Warnings ?? [] };
    },
    async remove(name, options = {}) {
      await transport.empty({ method: 'DELETE', path: path(name), query: { force: options.force } });
    },
    async prune(options = {}) {
      const reply = await transport.json(
        { method: 'POST', path: '/volumes/prune', query: { filters: filtersQuery(options.filters) }, signal: options.signal },
        VolumePruneResponseSchema,
      );
      return { volumesDeleted: reply.VolumesDeleted ?? [], spaceReclaimed: reply.SpaceReclaimed ?? 0 };
    },
  };
}
