import { ConflictError, InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import type { MetadataCollection } from '../metadata/metadata-store.js';
import type { ContainerRecord } from './container-record.js';
import type { PendingAttach } from './pending-attach.js';

/** A container the engine knows: its record and what exists only while the engine runs. */
export interface ContainerEntry {
  record: ContainerRecord;
  /** Resolved at each exit of the process (after the exit is recorded). */
  exitListeners: Set<() => void>;
  /** Resolved when the container is removed. */
  removedListeners: Set<() => void>;
  /** A pending restart by the policy. */
  restartTimer?: NodeJS.Timeout;
  /** Operations on one container run one at a time. */
  queue: Promise<unknown>;
  /** Exec IDs made in this container. */
  execs: Set<string>;
  /** The current run's exit watcher is attached. */
  watching: boolean;
  /** The root file system's directory while it is mounted. */
  rootfs?: string;
  /** Stops the healthchecks of the current run. */
  healthMonitor?: AbortController;
  /** Attaches waiting for the next start (made while the container was not running). */
  pendingAttaches?: Set<PendingAttach>;
}

/**
 * The engine's containers by ID and name: lookups with docker's rules (full ID, name,
 * unique ID prefix), unique names, and persistence of records through the metadata store.
 */
export class ContainerTable {
  readonly #byId = new Map<string, ContainerEntry>();
  readonly #byName = new Map<string, string>();
  /** Names held by creations still in progress (between their check and their insert). */
  readonly #reservedNames = new Set<string>();

  constructor(private readonly store: MetadataCollection<unknown>) {}

  /** Loads the stored records (at engine start). */
  async load(parse: (value: unknown) => ContainerRecord): Promise<ContainerEntry[]> {
    for (const value of await this.store.list()) this.#add(parse(value));
    return [...this.#byId.values()];
  }

  /** All entries, newest first. */
  all(): ContainerEntry[] {
    return [...this.#byId.values()].sort((a, b) => b.record.created.getTime() - a.record.created.getTime());
  }

  /** The entry `idOrName` names; `NotFound` (`No such container: x`) otherwise. */
  get(idOrName: string): ContainerEntry {
    const found = this.find(idOrName);
    if (!found) throw new NotFoundError(`No such container: ${idOrName}`, { details: { container: idOrName } });
    return found;
  }

  /** Like {@link get} without throwing for a missing one (still throws for an ambiguous prefix). */
  find(idOrName: string): ContainerEntry | undefined {
    const exact = this.#byId.get(idOrName);
    if (exact) return exact;
    const byName = this.#byName.get(idOrName.replace(/^\//, ''));
    if (byName) return this.#byId.get(byName);
    if (!/^[0-9a-f]+$/.test(idOrName)) return undefined;
    const matches = [...this.#byId.keys()].filter((id) => id.startsWith(idOrName));
    if (matches.length > 1) {
      throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${idOrName}`, { details: { prefix: idOrName } });
    }
    return matches[0] ? this.#byId.get(matches[0]) : undefined;
  }

  /** Whether a name is taken (or held by a creation in progress). */
  nameTaken(name: string): boolean {
    return this.#byName.has(name) || this.#reservedNames.has(name);
  }

  /**
   * Holds a free name for a container being created, so concurrent creations (and renames)
   * cannot take it while the creation awaits; `Conflict` if it is taken or held. Returns
   * the release (idempotent), called just before {@link insert} or when the creation fails.
   */
  reserveName(name: string): () => void {
    this.assertNameFree(name);
    this.#reservedNames.add(name);
    return () => {
      this.#reservedNames.delete(name);
    };
  }

  /** Refuses a taken name with docker's `Conflict` message. */
  assertNameFree(name: string): void {
    if (this.#reservedNames.has(name)) {
      throw new ConflictError(
        `Conflict. The container name "/${name}" is already in use by a container being created. You have to remove (or rename) that container to be able to reuse that name.`,
        { details: { name } },
      );
    }
    const owner = this.#byName.get(name);
    if (owner) {
      throw new ConflictError(
        `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
        { details: { name, container: owner } },
      );
    }
  }

  /** Adds a new container (its name must be free) and persists it. */
  async insert(record: ContainerRecord): Promise<ContainerEntry> {
    this.assertNameFree(record.name);
    const entry = this.#add(record);
    try {
      await this.save(entry);
    } catch (err) {
      this.#remove(entry);
      throw err;
    }
    return entry;
  }

  /** Persists the entry's record. */
  async save(entry: ContainerEntry): Promise<void> {
    await this.store.put(entry.record.id, entry.record);
  }

  /** Renames (the new name must be free) and persists. */
  async rename(entry: ContainerEntry, name: string): Promise<void> {
    this.assertNameFree(name);
    const old = entry.record.name;
    this.#byName.delete(old);
    this.#byName.set(name, entry.record.id);
    entry.record.name = name;
    try {
      await this.save(entry);
    } catch (err) {
      this.#byName.delete(name);
      this.#byName.set(old, entry.record.id);
      entry.record.name = old;
      throw err;
    }
  }

  /** Forgets the container and deletes its record. */
  async delete(entry: ContainerEntry): Promise<void> {
    await this.store.delete(entry.record.id);
    this.#remove(entry);
  }

  #add(record: ContainerRecord): ContainerEntry {
    const entry: ContainerEntry = {
      record,
      exitListeners: new Set(),
      removedListeners: new Set(),
      queue: Promise.resolve(),
      execs: new Set(),
      watching: false,
    };
    this.#byId.set(record.id, entry);
    this.#byName.set(record.name, record.id);
    return entry;
  }

  #remove(entry: ContainerEntry): void {
    this.#byId.delete(entry.record.id);
    if (this.#byName.get(entry.record.name) === entry.record.id) this.#byName.delete(entry.record.name);
  }
}

/** Runs `operation` after the container's previous operations (one at a time per container). */
export function serialized<T>(entry: ContainerEntry, operation: () => Promise<T>): Promise<T> {
  const run = entry.queue.then(operation);
  entry.queue = run.catch(() => undefined);
  return run;
}
