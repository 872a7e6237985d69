/** The rootfs operation running (or last queued) per container ID. */
const tails = new Map<string, Promise<void>>();

/**
 * Runs `work` (an archive upload or a commit) after every earlier one on the same container
 * has finished. Extraction resolves each member's parent inside the root file system and then
 * creates the member: two uploads interleaving there can swap a directory for a symlink between
 * the two steps and send a write out of the container (seen with concurrent `PUT …/archive` of
 * hostile tars); a commit diffing the root meanwhile sees files vanish under it. One at a time
 * per container closes those races between API clients (not against the container's own
 * processes: that needs extraction confined to the root by the kernel).
 */
export async function serializeRootfsAccess<T>(containerId: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(containerId) ?? Promise.resolve();
  const run = previous.then(work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(containerId, tail);
  try {
    return await run;
  } finally {
    if (tails.get(containerId) === tail) tails.delete(containerId);
  }
}
