import type { Volume, VolumeCreateOptions } from '@berth/engine';
import type { Volume as WireVolume, VolumeCreateOptions as WireVolumeCreateOptions } from '../generated/engine-api-schemas.js';

/** `docker volume inspect` → docker's `Volume`. */
export function volumeToWire(v: Volume): WireVolume {
  return {
    Name: v.name,
    Driver: v.driver,
    Mountpoint: v.mountpoint,
    CreatedAt: v.createdAt.toISOString(),
    Labels: v.labels,
    Options: v.options,
    Scope: v.scope,
    ...(v.status ? { Status: v.status } : {}),
    ...(v.usageData ? { UsageData: { Size: v.usageData.size, RefCount: v.usageData.refCount } } : {}),
  };
}

/** `POST /volumes/create` body → the engine's options. */
export function volumeCreateOptionsFromWire(request: WireVolumeCreateOptions): VolumeCreateOptions {
  return {
    ...(request.Name ? { name: request.Name } : {}),
    ...(request.Driver ? { driver: request.Driver } : {}),
    ...(request.DriverOpts ? { driverOptions: request.DriverOpts } : {}),
    ...(request.Labels ? { labels: request.Labels } : {}),
  };
}
