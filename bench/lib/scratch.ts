import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './process.js';

/** Where benchmarks keep caches and scratch data: one file system for every contender. */
export const benchRoot = '/var/tmp/berth-bench';

let made = 0;

/**
 * A fresh, empty directory, unique to this process: under `parent` when given (so that
 * removing the parent removes it), else under {@link benchRoot}`/scratch`.
 */
export async function scratchDir(name: string, parent = join(benchRoot, 'scratch')): Promise<string> {
  const dir = join(parent, `${name}-${process.pid}-${Date.now().toString(36)}-${made++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  const points = table
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
  return points.sort((a, b) => b.length - a.length);
}

/** Unmounts everything below `dir` (deepest first), then deletes it. */
export async function removeTree(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) {
    await runCommand('umount', [point], { allowFailure: true });
  }
  const left = await mountsUnder(dir);
  for (const point of left) await runCommand('umount', ['-l', point], { allowFailure: true });
  await rm(dir, { recursive: true, force: true });
}

/**
 * Writes dirty pages back (`sync`), so that one run's writeback and deletions do not
 * slow the next one down. Page caches are left alone.
 */
export async function settle(): Promise<void> {
  await runCommand('sync', []);
}
