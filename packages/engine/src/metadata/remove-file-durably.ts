import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from '@berth/atomic-file';

/** Removes `path` (absent is fine) and makes the removal durable. */
export async function removeFileDurably(path: string): Promise<void> {
  await rm(path, { force: true });
  await syncDirectory(dirname(path));
}
