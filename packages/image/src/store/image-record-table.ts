import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import { type Descriptor, descriptorSchema } from '@berth/spec';
import type { ImageRecord, ImageRecordChanges, ImageRecordInput, ImageStore } from './image-store.js';

/**
 * The logic every {@link ImageStore} shares: an in-memory table of records, mutated under
 * one lock, handed to `persist` before a change becomes visible. Memory stores persist
 * nowhere; the fs store writes a file. If `persist` throws, the table is unchanged.
 */
export function createImageRecordTable(
  initial: Iterable<ImageRecord>,
  persist: (records: ImageRecord[]) => Promise<void>,
  now: () => Date = () => new Date(),
): ImageStore {
  let records = new Map<string, ImageRecord>();
  for (const record of initial) records.set(record.name, copyRecord(record));
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs `change` on a copy of the table under the lock, persists the result, then publishes it. */
  function mutate<T>(change: (draft: Map<string, ImageRecord>) => T): Promise<T> {
    const run = queue.then(async () => {
      const draft = new Map(records);
      const result = change(draft);
      await persist(sorted(draft));
      records = draft;
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  function existing(table: Map<string, ImageRecord>, name: string): ImageRecord {
    const record = table.get(name);
    if (!record) throw new NotFoundError(`No such image: ${name}`, { details: { name } });
    return record;
  }

  return {
    async get(name) {
      return copyRecord(existing(records, name));
    },
    async list() {
      return sorted(records).map(copyRecord);
    },
    async create(input) {
      const checked = checkInput(input);
      return mutate((draft) => {
        if (draft.has(checked.name)) {
          throw new AlreadyExistsError(`image "${checked.name}" already exists`, { details: { name: checked.name } });
        }
        const at = now();
        const record: ImageRecord = { ...checked, createdAt: at, updatedAt: at };
        draft.set(record.name, record);
        return copyRecord(record);
      });
    },
    async update(name, changes: ImageRecordChanges) {
      const target = changes.target === undefined ? undefined : checkTarget(changes.target, name);
      const labels = changes.labels === undefined ? undefined : checkLabels(changes.labels, name);
      return mutate((draft) => {
        const old = existing(draft, name);
        const record: ImageRecord = {
          ...old,
          target: target ?? old.target,
          labels: labels ?? old.labels,
          updatedAt: now(),
        };
        draft.set(name, record);
        return copyRecord(record);
      });
    },
    async put(input) {
      const checked = checkInput(input);
      return mutate((draft) => {
        const at = now();
        const record: ImageRecord = { ...checked, createdAt: draft.get(checked.name)?.createdAt ?? at, updatedAt: at };
        draft.set(record.name, record);
        return copyRecord(record);
      });
    },
    async delete(name) {
      return mutate((draft) => {
        existing(draft, name);
        draft.delete(name);
      });
    },
  };
}

function sorted(table: Map<string, ImageRecord>): ImageRecord[] {
  return [...table.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function checkInput(input: ImageRecordInput): Omit<ImageRecord, 'createdAt' | 'updatedAt'> {
  if (typeof input.name !== 'string' || input.name.length === 0) {
    throw new InvalidArgumentError('an image record needs a non-empty name');
  }
  return {
    name: input.name,
    target: checkTarget(input.target, input.name),
    labels: checkLabels(input.labels ?? {}, input.name),
  };
}

function checkTarget(target: Descriptor, name: string): Descriptor {
  const parsed = descriptorSchema.safeParse(target);
  if (!parsed.success) {
    throw new InvalidArgumentError(
      `invalid target for image "${name}": ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return structuredClone(parsed.data);
}

function checkLabels(labels: Record<string, string>, name: string): Record<string, string> {
  for (const [key, value] of Object.entries(labels)) {
    if (key.length === 0 || typeof value !== 'string') {
      throw new InvalidArgumentError(`invalid label ${JSON.stringify(key)} on image "${name}": keys are non-empty, values strings`);
    }
  }
  return { ...labels };
}

function copyRecord(record: ImageRecord): ImageRecord {
  return {
    name: record.name,
    target: structuredClone(record.target),
    createdAt: new Date(record.createdAt.getTime()),
    updatedAt: new Date(record.updatedAt.getTime()),
    labels: { ...record.labels },
  };
}
