import type { RuntimeMount } from '@berth/spec';
import type { SpecOption } from './spec-option.js';

function depth(path: string): number {
  return path.split('/').filter((p) => p !== '').length;
}

/**
 * Adds the container's own mounts (binds, volumes, tmpfs, /etc/hosts…). As docker does:
 * a default mount with the same destination is replaced, a user-supplied /dev replaces
 * every default mount under /dev, and the added mounts are sorted parents-first (by
 * path depth, stable) so a mount never hides one below it.
 */
export function withMounts(mounts: readonly RuntimeMount[]): SpecOption {
  return (spec) => {
    if (mounts.length === 0) return;
    const destinations = new Set(mounts.map((m) => m.destination.replace(/\/+$/, '')));
    const replacesDev = destinations.has('/dev');
    const kept = (spec.mounts ?? []).filter(
      (m) => !destinations.has(m.destination) && !(replacesDev && m.destination.startsWith('/dev/')),
    );
    const added = mounts
      .map((mount, index) => ({ mount, index }))
      .sort((a, b) => depth(a.mount.destination) - depth(b.mount.destination) || a.index - b.index)
      .map(({ mount }) => structuredClone(mount));
    spec.mounts = [...kept, ...added];
  };
}

/** Sets the size of /dev/shm in bytes (docker appends `size=<bytes>` to its options). */
export function withShmSize(bytes: number): SpecOption {
  return (spec) => {
    const shm = spec.mounts?.find((m) => m.destination === '/dev/shm' && m.source === 'shm');
    if (!shm) return;
    shm.options = [...(shm.options ?? []).filter((o) => !o.startsWith('size=')), `size=${bytes}`];
  };
}
