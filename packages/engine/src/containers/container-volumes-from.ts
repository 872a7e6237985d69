import type { ContainerMount } from '@berth/container';
import { InvalidArgumentError } from '@berth/errdefs';
import type { ContainerTable } from './container-table.js';

/**
 * The mounts `--volumes-from` (`other`, `other:ro`, `other:rw`) gives a new container: every
 * volume and bind mount of each named container, at the same destination. `ro`/`rw` force the
 * mode; without one each mount keeps its own. Destinations in `taken` (the new container's
 * explicit mounts and tmpfs) are skipped: explicit mounts win, as in docker; of two sources
 * mounting one destination, the first named wins. Throws `NotFound` for an unknown container
 * and `InvalidArgument` for a mode other than `ro`/`rw`.
 */
export function mountsFromContainers(table: ContainerTable, specs: readonly string[], taken: ReadonlySet<string>): ContainerMount[] {
  const seen = new Set(taken);
  const inherited: ContainerMount[] = [];
  for (const spec of specs) {
    const [container = '', mode, ...extra] = spec.split(':');
    if (extra.length > 0 || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
      throw new InvalidArgumentError(`invalid mode for volumes-from: ${spec}`);
    }
    const source = table.get(container);
    for (const mount of source.record.config.mounts ?? []) {
      if (mount.type === 'tmpfs' || seen.has(mount.target)) continue;
      seen.add(mount.target);
      const readOnly = mode === undefined ? mount.readOnly === true : mode === 'ro';
      const copy: ContainerMount = { ...mount };
      delete copy.readOnly;
      inherited.push(readOnly ? { ...copy, readOnly: true } : copy);
    }
  }
  return inherited;
}
