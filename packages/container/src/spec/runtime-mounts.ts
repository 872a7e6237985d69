import { NotImplementedError } from '@berth/errdefs';
import type { RuntimeMount } from '@berth/spec';
import type { BindMount, ContainerMount, TmpfsMount, VolumeMount } from '../config/container-config.js';
import { mergeTmpfsOptions } from './mount-options.js';

/** Turns a volume mount into the host directory holding the volume (the seam to `@berth/volume`). */
export type VolumeResolver = (mount: VolumeMount) => string;

/** A bind mount of a host path, as docker writes it: `rbind` (or `bind`), `ro`, propagation. */
export function bindRuntimeMount(mount: Omit<BindMount, 'type'>): RuntimeMount {
  const options = [mount.nonRecursive ? 'bind' : 'rbind'];
  if (mount.readOnly) options.push('ro');
  options.push(mount.propagation ?? 'rprivate');
  return { destination: mount.target, type: 'bind', source: mount.source, options };
}

/**
 * A tmpfs mount as docker writes it: `noexec,nosuid,nodev,rprivate` then the given
 * options, merged so later ones win (`exec` re-allows execution).
 */
export function tmpfsRuntimeMount(target: string, options: readonly string[]): RuntimeMount {
  return {
    destination: target,
    type: 'tmpfs',
    source: 'tmpfs',
    options: mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', 'rprivate', ...options]),
  };
}

function tmpfsMountOptions(mount: TmpfsMount): string[] {
  const options: string[] = [];
  if (mount.readOnly) options.push('ro');
  if (mount.sizeBytes) options.push(`size=${mount.sizeBytes}`);
  if (mount.mode !== undefined) options.push(`mode=${mount.mode.toString(8)}`);
  return options;
}

/**
 * The runtime mounts of a container config's `mounts` and `tmpfs`: binds, tmpfs (both
 * forms), and volumes through `resolveVolume`. `NotImplemented` for a volume mount when
 * no resolver is given (volumes come with @berth/volume).
 */
export function containerRuntimeMounts(
  config: { mounts?: readonly ContainerMount[]; tmpfs?: Readonly<Record<string, string>> },
  resolveVolume?: VolumeResolver,
): RuntimeMount[] {
  const result: RuntimeMount[] = [];
  for (const mount of config.mounts ?? []) {
    switch (mount.type) {
      case 'bind':
        result.push(bindRuntimeMount(mount));
        break;
      case 'tmpfs':
        result.push(tmpfsRuntimeMount(mount.target, tmpfsMountOptions(mount)));
        break;
      case 'volume': {
        if (!resolveVolume) {
          throw new NotImplementedError(`volume mount on ${mount.target} needs a volume resolver, and none is configured`);
        }
        result.push(bindRuntimeMount({ source: resolveVolume(mount), target: mount.target, readOnly: mount.readOnly }));
        break;
      }
    }
  }
  for (const [target, options] of Object.entries(config.tmpfs ?? {})) {
    result.push(tmpfsRuntimeMount(target, options === '' ? [] : options.split(',')));
  }
  return result;
}
