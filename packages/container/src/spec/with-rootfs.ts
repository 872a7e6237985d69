import { readonlyMountOption } from './mount-options.js';
import type { SpecOption } from './spec-option.js';

/** Destinations that stay writable on a read-only root file system (docker's list). */
const writableOnReadonlyRoot = new Set(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue']);

/** Sets the root file system: a path, absolute or relative to the bundle. */
export function withRootfs(path: string): SpecOption {
  return (spec) => {
    spec.root = { ...spec.root, path };
  };
}

/**
 * Makes the root file system read-only, and with it the mounts already in the spec
 * except /proc, /dev, /dev/pts, /dev/shm and /dev/mqueue — as docker does for its
 * default mounts. Apply it before adding the user's mounts, which keep their own mode.
 */
export function withReadonlyRootfs(readonly = true): SpecOption {
  return (spec) => {
    spec.root = { path: spec.root?.path ?? 'rootfs', readonly };
    if (!readonly) return;
    for (const mount of spec.mounts ?? []) {
      if (writableOnReadonlyRoot.has(mount.destination)) continue;
      mount.options = readonlyMountOption(mount.options ?? [], true);
    }
  };
}
