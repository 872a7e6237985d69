import { NotFoundError } from '@berth/errdefs';
import type { ContainerContext } from './container-context.js';
import { serialized, type ContainerEntry } from './container-table.js';
import { processGone } from './process-gone.js';

/**
 * A file operation's hold on a container: its turn in the container's queue of operations
 * and, for a running container, its processes frozen. Lasts until {@link release}.
 */
export interface ContainerFreeze {
  /**
   * The container had processes when the hold began (running, or paused by the user): they
   * stay frozen, and no other operation on the container runs (no stop, unpause, remove),
   * until the release.
   */
  readonly live: boolean;
  /** Thaws what this hold froze, then lets the container's next operation run (idempotent). */
  release(): Promise<void>;
}

/**
 * Holds the container for a file operation on its root file system (archive copy in or
 * out, stat, export, diff, commit). The root is resolved from the host, path by path: a
 * process of a running container could swap a directory for a symlink between a lookup
 * and the write or read that follows, and send it onto the host (CVE-2018-15664). So the
 * operation waits for the container's earlier operations, then a running container is
 * frozen through the runtime (the cgroup freezer) until the release — as docker did
 * before its archiver ran chrooted. The freeze is invisible: no `pause`/`unpause` event,
 * the state stays `running` (a container the user paused stays paused, and is left as
 * it is). `freeze: false` (docker's `commit --pause=false`) only takes the turn.
 */
export async function freezeForFiles(context: ContainerContext, entry: ContainerEntry, options: { freeze?: boolean } = {}): Promise<ContainerFreeze> {
  let leave!: () => void;
  const left = new Promise<void>((resolve) => (leave = resolve));
  await new Promise<void>((entered) => {
    void serialized(entry, () => {
      entered();
      return left;
    });
  });
  const { record } = entry;
  let frozen = false;
  try {
    if (record.state.status === 'removed') throw new NotFoundError(`No such container: ${record.id}`, { details: { container: record.id } });
    if (record.state.status === 'running' && options.freeze !== false) {
      await context.host.runtime.pause(record.id).then(
        () => (frozen = true),
        (err: unknown) => {
          if (!processGone(err)) throw err;
        },
      );
    }
  } catch (err) {
    leave();
    throw err;
  }
  const live = record.state.status === 'running' || record.state.status === 'paused';
  let released: Promise<void> | undefined;
  return {
    live,
    release: () =>
      (released ??= (async () => {
        try {
          if (frozen) {
            await context.host.runtime.resume(record.id).catch((err: unknown) => {
              if (!processGone(err)) throw err;
            });
          }
        } finally {
          leave();
        }
      })()),
  };
}
