import { stat } from 'node:fs/promises';

/** The file rotated `index` times: `<path>.1` is the newest backup. */
export function rotatedLogPath(path: string, index: number): string {
  return index === 0 ? path : `${path}.${index}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The files of a rotated log, oldest first: `<path>.N` … `<path>.1`, then `<path>`
 * (which need not exist yet). Backups are found by probing `.1`, `.2`, … until one is
 * missing.
 */
export async function logFiles(path: string): Promise<string[]> {
  const backups: string[] = [];
  for (let index = 1; await exists(rotatedLogPath(path, index)); index++) backups.push(rotatedLogPath(path, index));
  return [...backups.reverse(), path];
}
