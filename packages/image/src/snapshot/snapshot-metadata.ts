import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@berth/atomic-file';
import { InternalError } from '@berth/errdefs';
import { z } from 'zod';
import type { SnapshotInfo } from './snapshotter.js';

const recordSchema = z.object({
  /** Short numeric id: names the snapshot's directory, keeps overlay options short. */
  id: z.string().regex(/^[0-9]+$/),
  key: z.string().min(1),
  kind: z.enum(['committed', 'active', 'view']),
  parent: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()),
  createdAt: z.iso.datetime(),
});

const metadataSchema = z.object({
  version: z.literal(1),
  /** The next id to hand out; ids are never reused, so a stale directory can never be mistaken for a new snapshot. */
  nextId: z.number().int().positive(),
  snapshots: z.array(recordSchema),
});

/** What is persisted of one snapshot. */
export type SnapshotRecord = z.infer<typeof recordSchema>;

/** The file holding every record under a snapshotter's root. */
export const metadataFileName = 'metadata.json';

/** The public view of a record. */
export function toSnapshotInfo(record: SnapshotRecord): SnapshotInfo {
  return {
    key: record.key,
    kind: record.kind,
    ...(record.parent === undefined ? {} : { parent: record.parent }),
    labels: { ...record.labels },
    createdAt: new Date(record.createdAt),
  };
}

/**
 * The snapshot records of one snapshotter root, kept in memory and persisted whole to
 * `metadata.json` by an atomic replace after every change, so a crash leaves either the
 * state before a change or the state after it. One process owns a root at a time. All
 * changes run one after another through {@link SnapshotMetadata.exclusive}, which is
 * what makes concurrent `prepare`/`commit` calls on the same key safe.
 */
export class SnapshotMetadata {
  private records: Map<string, SnapshotRecord>;
  private nextId: number;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    state: z.infer<typeof metadataSchema>,
  ) {
    this.records = new Map(state.snapshots.map((r) => [r.key, r]));
    this.nextId = state.nextId;
  }

  /** Loads the records under `root` (none when the file does not exist yet). */
  static async open(root: string): Promise<SnapshotMetadata> {
    const file = join(root, metadataFileName);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return new SnapshotMetadata(file, { version: 1, nextId: 1, snapshots: [] });
      }
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InternalError(`snapshot metadata ${file} is not valid JSON`, { cause: err });
    }
    const parsed = metadataSchema.safeParse(json);
    if (!parsed.success) {
      throw new InternalError(`snapshot metadata ${file} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return new SnapshotMetadata(file, parsed.data);
  }

  /** Runs `fn` after every earlier exclusive section has finished, and before any later one starts. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The record named `key`, if any. */
  get(key: string): SnapshotRecord | undefined {
    return this.records.get(key);
  }

  /** Every record. */
  all(): SnapshotRecord[] {
    return [...this.records.values()];
  }

  /** Records that name `key` as their parent. */
  childrenOf(key: string): SnapshotRecord[] {
    return this.all().filter((r) => r.parent === key);
  }

  /** `record`'s ancestors, nearest first (the overlay lowerdir order). */
  ancestors(record: SnapshotRecord): SnapshotRecord[] {
    const chain: SnapshotRecord[] = [];
    let parentKey = record.parent;
    while (parentKey !== undefined) {
      const parent = this.records.get(parentKey);
      if (!parent) throw new InternalError(`snapshot ${record.key} has a missing ancestor ${parentKey}`);
      if (chain.length > 10_000) throw new InternalError(`snapshot ${record.key} has a cyclic parent chain`);
      chain.push(parent);
      parentKey = parent.parent;
    }
    return chain;
  }

  /** Whether some record uses directory id `id`. */
  usesId(id: string): boolean {
    return this.all().some((r) => r.id === id);
  }

  /**
   * Hands out a fresh id. It is persisted with the next {@link SnapshotMetadata.change};
   * if that never happens, the id is simply reused after a restart — its directory, if
   * any, is an orphan and removed at open.
   */
  allocateId(): string {
    return String(this.nextId++);
  }

  /**
   * Applies a change — records to put (by key) and keys to delete — and persists the
   * result atomically. The in-memory state changes only once the file is written.
   */
  async change(put: SnapshotRecord[], remove: string[] = []): Promise<void> {
    const next = new Map(this.records);
    for (const key of remove) next.delete(key);
    for (const record of put) next.set(record.key, record);
    const state: z.infer<typeof metadataSchema> = { version: 1, nextId: this.nextId, snapshots: [...next.values()] };
    await writeFileAtomic(this.file, `${JSON.stringify(state, null, 1)}\n`);
    this.records = next;
  }
}
