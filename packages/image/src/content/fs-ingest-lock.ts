import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ingestFile, temporaryMarker } from './fs-layout.js';
import { systemErrorCode } from './fs-errors.js';
import { KeyedMutex, type Release } from './keyed-mutex.js';

/**
 * Writers of one ingest directory in this process, across every store opened on the same
 * root: the lock file alone cannot tell two holders in one process apart.
 */
const inProcess = new KeyedMutex();

const firstPollMs = 5;
const maxPollMs = 100;

/** The exclusive right to write one ingest directory, in this process and on this machine. */
export interface IngestLock {
  /**
   * Gives the lock up: unlinks the lock file and, with `removeDir`, the then empty
   * ingest directory. Idempotent.
   */
  release(options?: { removeDir?: boolean }): Promise<void>;
}

/**
 * Waits for and takes the writer lock of an ingest directory (creating the directory):
 * first the in-process lock, then the lock file `<dir>/lock`, created atomically with
 * the holder's pid, start time and a nonce. A lock file whose holder is dead — killed
 * mid-ingest — is broken; one held by a live process is polled until it is released.
 * `signal` abandons the wait.
 */
export async function lockIngest(dir: string, signal?: AbortSignal): Promise<IngestLock> {
  const releaseInProcess = await inProcess.acquire(dir, signal);
  try {
    let pollMs = firstPollMs;
    for (;;) {
      signal?.throwIfAborted();
      if (await tryLockFile(dir)) return heldLock(dir, releaseInProcess);
      // timers' own AbortError would hide the signal's reason (a TimeoutError, say).
      await sleep(pollMs, undefined, signal ? { signal } : {}).catch((err: unknown) => {
        throw signal?.aborted ? signal.reason : err;
      });
      pollMs = Math.min(pollMs * 2, maxPollMs);
    }
  } catch (err) {
    releaseInProcess();
    throw err;
  }
}

/** Takes the lock of an ingest directory if it is free (or stale); `undefined` when a live writer holds it. */
export async function tryLockIngest(dir: string): Promise<IngestLock | undefined> {
  const releaseInProcess = inProcess.tryAcquire(dir);
  if (!releaseInProcess) return undefined;
  try {
    if (await tryLockFile(dir)) return heldLock(dir, releaseInProcess);
  } catch (err) {
    releaseInProcess();
    throw err;
  }
  releaseInProcess();
  return undefined;
}

function heldLock(dir: string, releaseInProcess: Release): IngestLock {
  let released = false;
  return {
    async release({ removeDir = false } = {}) {
      if (released) return;
      released = true;
      try {
        await unlink(join(dir, ingestFile.lock)).catch(ignoreCode('ENOENT'));
        // Another process may already be creating its lock here; then the directory stays.
        if (removeDir) await rmdir(dir).catch(ignoreCode('ENOENT', 'ENOTEMPTY', 'EEXIST'));
      } finally {
        releaseInProcess();
      }
    },
  };
}

/**
 * One attempt at the lock file. The content is written to a candidate file first and
 * hard-linked to `lock`, so the lock never exists half-written (link fails if it exists).
 */
async function tryLockFile(dir: string): Promise<boolean> {
  const lockPath = join(dir, ingestFile.lock);
  const nonce = randomBytes(8).toString('hex');
  const candidate = `${lockPath}${temporaryMarker}${nonce}`;
  for (;;) {
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(candidate, `${process.pid} ${ownStartTime() ?? '-'} ${nonce}\n`, { flag: 'wx' });
      await link(candidate, lockPath);
      return true;
    } catch (err) {
      const code = systemErrorCode(err);
      // The directory was removed under us by a releasing writer: start over.
      if (code === 'ENOENT') continue;
      if (code !== 'EEXIST') throw err;
    } finally {
      await unlink(candidate).catch(ignoreCode('ENOENT'));
    }
    const holder = await readFile(lockPath, 'utf8').catch(ignoreCode('ENOENT'));
    if (holder === undefined) continue; // released meanwhile
    if (holderIsAlive(holder)) return false;
    await breakStaleLock(lockPath, holder);
  }
}

/**
 * Removes a lock file whose holder is dead. It is renamed aside first and checked to
 * still be the stale one: if another process broke it and took the lock in between,
 * that fresh lock is put back.
 */
async function breakStaleLock(lockPath: string, staleContent: string): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(8).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if (systemErrorCode(err) === 'ENOENT') return;
    throw err;
  }
  const content = await readFile(aside, 'utf8').catch(ignoreCode('ENOENT'));
  if (content !== undefined && content !== staleContent) {
    await link(aside, lockPath).catch(ignoreCode('EEXIST'));
  }
  await unlink(aside).catch(ignoreCode('ENOENT'));
}

/** Whether the process recorded in a lock file still runs (and is the same process, not a reused pid). */
function holderIsAlive(content: string): boolean {
  const [pidText, startTime] = content.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return startTime === (ownStartTime() ?? '-');
  const stat = procStat(pid);
  if (stat === null) return false; // no such process
  if (stat !== undefined) {
    if (stat.state === 'Z' || stat.state === 'X') return false; // killed, not yet reaped
    return startTime === undefined || startTime === '-' || startTime === stat.startTime;
  }
  try {
    process.kill(pid, 0); // no /proc: all we can know is whether the pid exists
    return true;
  } catch (err) {
    return systemErrorCode(err) === 'EPERM';
  }
}

let cachedStartTime: string | undefined | null = null;

/** This process's start time in clock ticks since boot (Linux), which with the pid names it uniquely. */
function ownStartTime(): string | undefined {
  if (cachedStartTime === null) cachedStartTime = procStat(process.pid)?.startTime;
  return cachedStartTime;
}

/**
 * State and start time of a process from `/proc/<pid>/stat`: `null` when the process does
 * not exist, `undefined` when there is no procfs to ask.
 */
function procStat(pid: number): { state: string; startTime: string } | null | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if (systemErrorCode(err) !== 'ENOENT') return undefined;
    try {
      readFileSync('/proc/self/stat');
    } catch {
      return undefined;
    }
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces; fields restart after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined) return undefined;
  return { state, startTime };
}

function ignoreCode(...codes: string[]) {
  return (err: unknown): undefined => {
    if (codes.includes(systemErrorCode(err) ?? '')) return undefined;
    throw err;
  };
}
