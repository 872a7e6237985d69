import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** `/proc/self/mountinfo` escapes space, tab, newline and backslash as `\ooo`. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The mount points of this process's mount namespace, in mount order (may repeat when stacked). */
export async function mountPoints(): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  const points: string[] = [];
  for (const line of table.split('\n')) {
    const field = line.split(' ')[4];
    if (field !== undefined) points.push(unescapeMountField(field));
  }
  return points;
}

/** Whether something is mounted on `path` (exactly there, not below). */
export async function isMountPoint(path: string): Promise<boolean> {
  const target = resolve(path);
  return (await mountPoints()).includes(target);
}

/** Mount points at or below `directory`, deepest first (the order to unmount them in). */
export async function mountPointsUnder(directory: string): Promise<string[]> {
  const base = resolve(directory);
  const under = (await mountPoints()).filter((p) => p === base || p.startsWith(base + sep));
  return [...new Set(under)].sort((a, b) => b.length - a.length);
}
