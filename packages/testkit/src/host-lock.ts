import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Where {@link withHostLock} (and test subnet reservations) keep its lock directories: under /run, gone at reboot. */
export const LOCK_ROOT = '/run/berth-test-locks';

/** Whether a process with this pid exists (EPERM: it does, just not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` while holding the host-wide lock `name`, for tests that change state every test
 * file shares (the FORWARD policy of iptables): vitest runs files in parallel processes, and
 * two of them saving and restoring the same setting interleaved would leave it changed. The
 * lock is a directory (`mkdir` is atomic) holding the owner's pid; a lock whose owner died is
 * taken over.
 */
export async function withHostLock<T>(name: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`lock name ${JSON.stringify(name)} must be lowercase letters, digits and dashes`);
  const dir = join(LOCK_ROOT, name);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  await mkdir(LOCK_ROOT, { recursive: true });
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => ''));
      // No pid file yet: the owner is between its mkdir and its write; wait for it.
      if (owner > 0 && !processAlive(owner)) await rm(dir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`host lock ${name} still held by pid ${owner || '?'} after ${options.timeoutMs ?? 60_000} ms`);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` with iptables' FORWARD policy set to `policy` (`ACCEPT`, `DROP`), under the host
 * lock `iptables-forward-policy` so test files doing the same wait their turn, and puts the
 * policy it found back afterwards.
 */
export async function withForwardPolicy<T>(policy: string, fn: () => Promise<T>): Promise<T> {
  return withHostLock('iptables-forward-policy', async () => {
    const { stdout } = await execFileAsync('iptables', ['-w', '-S', 'FORWARD']);
    const found = /^-P FORWARD (\w+)/m.exec(stdout)?.[1] ?? 'ACCEPT';
    await execFileAsync('iptables', ['-w', '-P', 'FORWARD', policy]);
    try {
      return await fn();
    } finally {
      await execFileAsync('iptables', ['-w', '-P', 'FORWARD', found]);
    }
  });
}
