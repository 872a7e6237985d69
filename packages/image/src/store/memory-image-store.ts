import { createImageRecordTable } from './image-record-table.js';
import type { ImageStore } from './image-store.js';

/**
 * An {@link ImageStore} held in memory: for tests and the in-memory engine. Its records
 * live as long as the returned object.
 */
export function createMemoryImageStore(): ImageStore {
  return createImageRecordTable([], async () => undefined);
}
