import { execFile } from 'node:child_process';
import { type Server, createServer } from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Takes the host-wide lock `name` if it is free: a listening unix socket in Linux's abstract
 * namespace (`\0berth-test-<name>`). Binding is atomic, and the kernel frees the name when
 * its holder dies, so a crashed test file never leaves a stale lock (no pid files, no
 * takeover races). Resolves to the held lock, or `undefined` when someone else holds it.
 * Abstract names are per network namespace: every test runs these in the host's.
 */
export function tryHostLock(name: string): Promise<{ release(): Promise<void> } | undefined> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`lock name ${JSON.stringify(name)} must be lowercase letters, digits and dashes`);
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
    server.listen(`\0berth-test-${name}`, () => {
      // Holding a lock must not keep a test process alive.
      server.unref();
      resolve({ release: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

/**
 * Runs `fn` while holding the host-wide lock `name` ({@link tryHostLock}), for tests that
 * change state every test file shares (the FORWARD policy of iptables): vitest runs files in
 * parallel processes, and two of them saving and restoring the same setting interleaved
 * would leave it changed. Waits up to `timeoutMs` (default 60 s) for the lock.
 */
export async function withHostLock<T>(name: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let lock = await tryHostLock(name);
  while (!lock) {
    if (Date.now() > deadline) throw new Error(`host lock ${name} still held by another process after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    lock = await tryHostLock(name);
  }
  try {
    return await fn();
  } finally {
    await lock.release();
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
