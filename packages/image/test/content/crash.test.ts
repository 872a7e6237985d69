import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createFsContentStore } from '@berth/image';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { patternedBytes, patternedDigest } from './fixtures/patterned-blob.js';

const childScript = fileURLToPath(new URL('./fixtures/slow-ingest.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

const size = 8 * 1024 * 1024;
const digest = patternedDigest(size);
const ref = 'pull-crash-layer';

/** A child process ingesting the patterned blob, and the offsets it reports. */
interface IngestingChild {
  process: ChildProcess;
  /** The offset the child resumed at. */
  resumed: Promise<number>;
  /** The offset after `reportAfter` bytes were written. */
  progress: Promise<number>;
  /** Kills it with SIGKILL and waits until it is gone. */
  kill(): Promise<void>;
}

describe('fs content store after a crash', () => {
  let root: string;
  let remove: () => Promise<void>;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    ({ path: root, remove } = await makeTempDir('berth-content-crash'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await remove();
  });

  function startChild(reportAfter: number): IngestingChild {
    const child = spawn(
      process.execPath,
      ['--conditions=@berth/source', '--import', 'tsx', childScript, root, ref, digest, String(size), String(reportAfter)],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const lines = createInterface({ input: child.stdout! });
    const reported = (word: string) =>
      new Promise<number>((resolve, reject) => {
        lines.on('line', (line) => {
          const [key, value] = line.split(' ');
          if (key === word) resolve(Number(value));
        });
        void exited.then(() => reject(new Error(`child exited before "${word}": ${stderr}`)));
      });
    const resumed = reported('resumed');
    const progress = reported('progress');
    resumed.catch(() => undefined);
    progress.catch(() => undefined);
    return {
      process: child,
      resumed,
      progress,
      async kill() {
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  it('leaves a resumable partial, never a visible blob, when killed mid-ingest', async () => {
    const first = startChild(3 * 1024 * 1024);
    expect(await first.resumed).toBe(0);
    const killedAt = await first.progress;
    await first.kill();

    const store = await createFsContentStore({ root });
    expect(await store.has(digest)).toBe(false);
    const listed: unknown[] = [];
    for await (const info of store.list()) listed.push(info);
    expect(listed).toEqual([]);
    const [partial] = await store.ingests();
    expect(partial).toMatchObject({ ref, expected: { digest, size } });
    expect(partial!.offset).toBeGreaterThan(0);
    expect(partial!.offset).toBeLessThanOrEqual(killedAt);

    // A second process resumes where the first stopped, and is killed too, holding the lock.
    const second = startChild(1024 * 1024);
    expect(await second.resumed).toBe(partial!.offset);
    await second.progress;
    await second.kill();

    // The dead holder's lock does not block; the partial resumes and commits whole.
    const writer = await store.writer(ref, { digest, size }, { signal: AbortSignal.timeout(10_000) });
    expect(writer.offset).toBeGreaterThanOrEqual(partial!.offset);
    const chunk = 256 * 1024;
    while (writer.offset < size) {
      await writer.write(patternedBytes(writer.offset, Math.min(chunk, size - writer.offset)));
    }
    expect(await writer.commit()).toMatchObject({ digest, size });
    expect(await store.ingests()).toEqual([]);
    const bytes = await store.readBytes(digest, { maxSize: size });
    expect(Buffer.compare(Buffer.from(bytes), patternedBytes(0, size))).toBe(0);
  });

  it('waits for a live writer in another process, and takes over once it is killed', async () => {
    const holder = startChild(512 * 1024);
    await holder.progress;
    const store = await createFsContentStore({ root });

    // Held by a live process: the wait only ends by the signal.
    await expect(store.writer(ref, { digest, size }, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(await store.ingests()).toMatchObject([{ ref }]);

    const waiting = store.writer(ref, { digest, size }, { signal: AbortSignal.timeout(10_000) });
    await holder.kill();
    const writer = await waiting;
    expect(writer.offset).toBeGreaterThan(0);
    while (writer.offset < size) {
      await writer.write(patternedBytes(writer.offset, Math.min(1024 * 1024, size - writer.offset)));
    }
    expect(await writer.commit()).toMatchObject({ digest, size });
  });
});
