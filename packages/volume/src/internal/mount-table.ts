import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** `/proc/self/mountinfo` escapes space, tab, newline and backslash as `\ooo`. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

async function mountPoints(): Promise<string[]> {
  let table: string;
  try {
    table = await readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    // Not Linux: nothing can be mounted by this package there.
    return [];
  }
  const points: string[] = [];
  for (const line of table.split('\n')) {
    const field = line.split(' ')[4];
    if (field !== undefined) points.push(unescapeMountField(field));
  }
  return points;
}

/** Whether something is mounted exactly on `path`. */
export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountPoints()).includes(resolve(path));
}

/** Mount points at or below `directory`, deepest first (the order to unmount them in). */
export async function mountPointsUnder(directory: string): Promise<string[]> {
  const base = resolve(directory);
  const under = (await mountPoints()).filter((p) => p === base || p.startsWith(base + sep));
  return [...new Set(under)].sort((a, b) => b.length - a.length);
}
