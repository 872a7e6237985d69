import type { ContainerContext } from './container-context.js';
import { mountRootfs, unmountRootfs } from './container-run.js';
import type { ContainerEntry } from './container-table.js';

/** A use of a container's root file system by a file operation (archive, stat, diff, commit). */
export interface RootfsUse {
  /** The root file system as a host directory, valid until `release`. */
  readonly rootfs: string;
  /** Ends the use (idempotent); the last use of a stopped container unmounts it. */
  release(): Promise<void>;
}

/** Mounted-for-file-operations state of a stopped container's root file system. */
interface SharedMount {
  users: number;
  mounted: Promise<string>;
}

const live = (entry: ContainerEntry) => ['running', 'paused', 'restarting'].includes(entry.record.state.status);

// Per container: the mount shared by the file operations in progress.
const sharedMounts = new WeakMap<ContainerEntry, SharedMount>();

/**
 * Gives a file operation the container's root file system. A running container has it
 * mounted already. A stopped one gets it mounted by the first of its concurrent uses and
 * unmounted after the last ends — uses overlap (an archive stream outlives its call), so
 * one use must never unmount the directory under another, nor two mount it twice.
 */
export async function useRootfs(context: ContainerContext, entry: ContainerEntry): Promise<RootfsUse> {
  if (live(entry)) return { rootfs: await mountRootfs(context, entry), release: async () => undefined };
  let shared = sharedMounts.get(entry);
  if (!shared) {
    shared = { users: 0, mounted: mountRootfs(context, entry) };
    sharedMounts.set(entry, shared);
  }
  const current = shared;
  current.users += 1;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    current.users -= 1;
    if (current.users > 0) return;
    if (sharedMounts.get(entry) === current) sharedMounts.delete(entry);
    // Started meanwhile: the run owns the mount now.
    if (live(entry)) return;
    await unmountRootfs(context, entry);
  };
  try {
    return { rootfs: await current.mounted, release };
  } catch (err) {
    await release();
    throw err;
  }
}
