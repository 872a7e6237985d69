import { readFile } from 'node:fs/promises';

/**
 * Whether process `pid` is alive. A zombie counts as gone: it has exited and only waits for
 * its parent (often init, for the double-forked conmon) to reap it.
 */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the command name, which is in parentheses and may hold spaces.
    return status.slice(status.lastIndexOf(')') + 2, status.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves after `ms` milliseconds (polling loops of the runc runtime). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
