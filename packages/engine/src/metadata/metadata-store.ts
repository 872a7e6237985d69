import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError, InvalidArgumentError } from '@berth/errdefs';
import type { z } from 'zod';
import { writeFileAtomic } from '@berth/atomic-file';
import { removeFileDurably } from './remove-file-durably.js';

/**
 * One kind of engine object (containers, execs…) kept by key: the engine's embedded
 * database. Every `put` is atomic when it resolves — and durable for a new key; a
 * replacement of an object already on disk is durable within the file system's next
 * commit (a crash before it leaves the previous version, whole); `delete` is durable.
 * `list` and `get` return values parsed by the collection's schema, so a reader never
 * sees a half-written object.
 */
export interface MetadataCollection<T> {
  /** Every stored object. */
  list(): Promise<T[]>;
  /** The object stored under `key`, if any. */
  get(key: string): Promise<T | undefined>;
  /** Stores (replaces) the object under `key`. */
  put(key: string, value: T): Promise<void>;
  /** Removes the object under `key` (absent is fine). */
  delete(key: string): Promise<void>;
}

/**
 * The engine's metadata: named collections. Objects are JSON; the file store keeps one file
 * per object (`<root>/<collection>/<key>.json`) written atomically, the memory store keeps
 * structured clones.
 */
export interface MetadataStore {
  collection<S extends z.ZodType>(name: string, schema: S): MetadataCollection<z.infer<S>>;
}

const keyPattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function checkKey(key: string): void {
  // Keys become file names: nothing that could leave the collection's directory.
  if (!keyPattern.test(key)) throw new InvalidArgumentError(`invalid metadata key ${JSON.stringify(key)}`);
}

/** A {@link MetadataStore} holding everything in memory (the memory engine's). */
export function createMemoryMetadataStore(): MetadataStore {
  const collections = new Map<string, Map<string, unknown>>();
  return {
    collection<S extends z.ZodType>(name: string, schema: S) {
      let objects = collections.get(name);
      if (!objects) collections.set(name, (objects = new Map()));
      const table = objects;
      return {
        async list() {
          return [...table.values()].map((value) => schema.parse(structuredClone(value)) as z.infer<S>);
        },
        async get(key) {
          const value = table.get(key);
          return value === undefined ? undefined : (schema.parse(structuredClone(value)) as z.infer<S>);
        },
        async put(key, value) {
          checkKey(key);
          table.set(key, JSON.parse(JSON.stringify(value)));
        },
        async delete(key) {
          table.delete(key);
        },
      };
    },
  };
}

/**
 * A {@link MetadataStore} under `root`: one JSON file per object, replaced atomically
 * (temp + fsync + rename, + fsync of the directory when the key is new: a replacement's
 * name is durable already, and a crash can only bring back the previous whole version —
 * state changes of a container are written several times per run, this saves an fsync
 * each). Temporary files left by a crash are ignored. A file that does not parse is an
 * `Internal` error naming it.
 */
export function createFsMetadataStore(root: string): MetadataStore {
  return {
    collection<S extends z.ZodType>(name: string, schema: S) {
      checkKey(name);
      const directory = join(root, name);
      let ready: Promise<unknown> | undefined;
      const ensure = () => (ready ??= mkdir(directory, { recursive: true, mode: 0o700 }));
      // Keys whose file this process has seen on disk or made durable.
      const onDisk = new Set<string>();
      const parse = (file: string, text: string): z.infer<S> => {
        try {
          return schema.parse(JSON.parse(text)) as z.infer<S>;
        } catch (err) {
          throw new InternalError(`corrupt metadata file ${join(directory, file)}`, { cause: err });
        }
      };
      return {
        async list() {
          await ensure();
          const values: z.infer<S>[] = [];
          for (const file of (await readdir(directory)).sort()) {
            if (!file.endsWith('.json') || file.startsWith('.')) continue;
            values.push(parse(file, await readFile(join(directory, file), 'utf8')));
            onDisk.add(file.slice(0, -'.json'.length));
          }
          return values;
        },
        async get(key) {
          checkKey(key);
          await ensure();
          try {
            const value = parse(`${key}.json`, await readFile(join(directory, `${key}.json`), 'utf8'));
            onDisk.add(key);
            return value;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
            throw err;
          }
        },
        async put(key, value) {
          checkKey(key);
          await ensure();
          await writeFileAtomic(join(directory, `${key}.json`), JSON.stringify(value), { syncDirectory: !onDisk.has(key) });
          onDisk.add(key);
        },
        async delete(key) {
          checkKey(key);
          await ensure();
          // Forgotten first: a put racing this delete must make its new name durable.
          onDisk.delete(key);
          await removeFileDurably(join(directory, `${key}.json`));
        },
      };
    },
  };
}
