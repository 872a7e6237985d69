import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { errorCode } from '@berth/errdefs';
import type { Digest } from '@berth/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContentStore, ExpectedBlob } from '../content/content-store.js';

/** What a {@link describeContentStore} factory hands each test: a fresh, empty store. */
export interface ContentStoreFixture {
  store: ContentStore;
  /** Removes what the store left behind (temp dirs …); called after each test. */
  cleanup?(): Promise<void>;
}

/**
 * The conformance suite of {@link ContentStore}: every implementation runs it, so they
 * agree on atomic verified commits, resumable ingests, one writer per ref, concurrent
 * ingests of one digest, and the error codes. `factory` is called once per test.
 *
 * ```ts
 * describeContentStore('memory', async () => ({ store: createMemoryContentStore() }));
 * ```
 */
export function describeContentStore(name: string, factory: () => Promise<ContentStoreFixture>): void {
  describe(`ContentStore conformance: ${name}`, () => {
    let fixture: ContentStoreFixture | undefined;
    let store: ContentStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture?.cleanup?.();
      fixture = undefined;
    });

    describe('ingest and read', () => {
      it('ingests a blob and serves it by digest', async () => {
        const blob = blobOf(1000);
        const info = await store.ingest(blob.expected, chunked(blob.bytes, 100));
        expect(info).toMatchObject({ digest: blob.digest, size: 1000 });
        expect(info.createdAt).toBeInstanceOf(Date);
        expect(await store.has(blob.digest)).toBe(true);
        expect(await store.info(blob.digest)).toMatchObject({ digest: blob.digest, size: 1000 });
        expectBytes(await store.readBytes(blob.digest), blob.bytes);
        expectBytes(await readAll(await store.read(blob.digest)), blob.bytes);
      });

      it('ingests without a known size, and an empty blob', async () => {
        const blob = blobOf(300);
        await store.ingest({ digest: blob.digest }, chunked(blob.bytes, 7));
        expectBytes(await store.readBytes(blob.digest), blob.bytes);
        const empty = blobOf(0);
        expect(await store.ingest(empty.expected, chunked(empty.bytes, 1))).toMatchObject({ size: 0 });
        expect(await readAll(await store.read(empty.digest))).toHaveLength(0);
      });

      it('streams a multi-megabyte blob written in uneven chunks', async () => {
        const blob = blobOf(5 * 1024 * 1024 + 13);
        await store.ingest(blob.expected, unevenChunks(blob.bytes));
        expectBytes(await readAll(await store.read(blob.digest)), blob.bytes);
      });

      it('verifies sha512 digests', async () => {
        const bytes = randomBytes(2000);
        const digest = `sha512:${createHash('sha512').update(bytes).digest('hex')}` as Digest;
        await store.ingest({ digest, size: bytes.length }, chunked(bytes, 300));
        expectBytes(await store.readBytes(digest), bytes);
      });

      it('reads from an offset', async () => {
        const blob = blobOf(1000);
        await store.ingest(blob.expected, chunked(blob.bytes, 64));
        expectBytes(await readAll(await store.read(blob.digest, { offset: 123 })), blob.bytes.subarray(123));
        expect(await readAll(await store.read(blob.digest, { offset: 1000 }))).toHaveLength(0);
        await expectCode(store.read(blob.digest, { offset: 1001 }), 'InvalidArgument');
      });

      it('refuses readBytes above maxSize', async () => {
        const blob = blobOf(100);
        await store.ingest(blob.expected, chunked(blob.bytes, 100));
        await expectCode(store.readBytes(blob.digest, { maxSize: 99 }), 'InvalidArgument');
        expectBytes(await store.readBytes(blob.digest, { maxSize: 100 }), blob.bytes);
      });

      it('keeps its bytes when the caller reuses a written buffer', async () => {
        const blob = blobOf(4096);
        const writer = await store.writer('reuse', blob.expected);
        const scratch = Buffer.alloc(1024);
        for (let at = 0; at < blob.bytes.length; at += scratch.length) {
          blob.bytes.copy(scratch, 0, at, at + scratch.length);
          await writer.write(scratch);
        }
        scratch.fill(0);
        await writer.commit();
        expectBytes(await store.readBytes(blob.digest), blob.bytes);
      });

      it('ingests a Node Readable, and destroys one it does not need', async () => {
        const blob = blobOf(70_000);
        await store.ingest(blob.expected, Readable.from(chunked(blob.bytes, 16_384)));
        expectBytes(await store.readBytes(blob.digest), blob.bytes);
        const unread = new PassThrough();
        expect(await store.ingest(blob.expected, unread)).toMatchObject({ digest: blob.digest });
        expect(unread.destroyed).toBe(true);
      });

      it('lands writes in call order even when they are not awaited one by one', async () => {
        const blob = blobOf(3 * 70_000);
        const writer = await store.writer('unawaited', blob.expected);
        await Promise.all([0, 1, 2].map((i) => writer.write(blob.bytes.subarray(i * 70_000, (i + 1) * 70_000))));
        expect(await writer.commit()).toMatchObject({ digest: blob.digest });
        expectBytes(await store.readBytes(blob.digest), blob.bytes);
      });

      it('reports NotFound for an unknown digest', async () => {
        const unknown = blobOf(10).digest;
        expect(await store.has(unknown)).toBe(false);
        await expectCode(store.info(unknown), 'NotFound');
        await expectCode(store.read(unknown), 'NotFound');
        await expectCode(store.readBytes(unknown), 'NotFound');
        await expectCode(store.delete(unknown), 'NotFound');
      });

      it('refuses malformed digests with InvalidArgument', async () => {
        await expectCode(store.info('sha256:abc' as Digest), 'InvalidArgument');
        await expectCode(store.writer('bad', { digest: 'md5:00' as Digest }), 'InvalidArgument');
        await expectCode(store.writer('bad', { digest: blobOf(1).digest, size: -1 }), 'InvalidArgument');
      });
    });

    describe('verification', () => {
      it('refuses a digest mismatch and shows nothing', async () => {
        const blob = blobOf(500);
        const other = blobOf(500);
        const attempt = store.ingest(blob.expected, chunked(other.bytes, 50));
        await expectCode(attempt, 'InvalidArgument');
        await expect(attempt).rejects.toThrow(`digest mismatch: expected ${blob.digest}, got ${other.digest}`);
        expect(await store.has(blob.digest)).toBe(false);
        expect(await store.has(other.digest)).toBe(false);
        expect(await store.ingests()).toEqual([]);
      });

      it('discards the partial of a writer whose commit fails', async () => {
        const blob = blobOf(500);
        const writer = await store.writer('mismatch', { digest: blob.digest });
        await writer.write(blobOf(500).bytes);
        await expectCode(writer.commit(), 'InvalidArgument');
        expect(await store.ingests()).toEqual([]);
        expect(await store.has(blob.digest)).toBe(false);
        await expectCode(writer.write(blob.bytes), 'FailedPrecondition');
        const again = await store.writer('mismatch', blob.expected);
        expect(again.offset).toBe(0);
        await again.abort();
      });

      it('refuses a blob shorter than its expected size', async () => {
        const blob = blobOf(500);
        const writer = await store.writer('short', blob.expected);
        await writer.write(blob.bytes.subarray(0, 499));
        await expect(writer.commit()).rejects.toThrow(/size mismatch/);
        expect(await store.has(blob.digest)).toBe(false);
        expect(await store.ingests()).toEqual([]);
      });

      it('refuses a write past the expected size at once', async () => {
        const blob = blobOf(500);
        const writer = await store.writer('long', blob.expected);
        await writer.write(blob.bytes.subarray(0, 400));
        await expectCode(writer.write(blob.bytes.subarray(0, 101)), 'InvalidArgument');
        expect(await store.has(blob.digest)).toBe(false);
        expect(await store.ingests()).toEqual([]);
        await writer.close();
      });

      it('refuses a source longer than the expected size through ingest()', async () => {
        const blob = blobOf(500);
        const longer = Buffer.concat([blob.bytes, Buffer.from('x')]);
        await expectCode(store.ingest(blob.expected, chunked(longer, 100)), 'InvalidArgument');
        expect(await store.has(blob.digest)).toBe(false);
        expect(await store.ingests()).toEqual([]);
      });

      it('short-circuits a commit when the blob already exists', async () => {
        const blob = blobOf(300);
        await store.ingest(blob.expected, chunked(blob.bytes, 300));
        const before = await store.info(blob.digest);
        const writer = await store.writer('second-copy', blob.expected);
        await writer.write(blob.bytes);
        const info = await writer.commit();
        expect(info).toMatchObject({ digest: blob.digest, size: 300 });
        expect(info.createdAt.getTime()).toBe(before.createdAt.getTime());
        expect(await store.ingests()).toEqual([]);
        expect(await collect(store.list())).toHaveLength(1);
      });
    });

    describe('resumable ingests', () => {
      it('resumes after close at the right offset and with the right hash state', async () => {
        const blob = blobOf(3000);
        const first = await store.writer('resume', blob.expected);
        expect(first.offset).toBe(0);
        await first.write(blob.bytes.subarray(0, 1000));
        await first.write(blob.bytes.subarray(1000, 1700));
        expect(first.offset).toBe(1700);
        await first.close();
        expect(await store.has(blob.digest)).toBe(false);

        const second = await store.writer('resume', blob.expected);
        expect(second.ref).toBe('resume');
        expect(second.offset).toBe(1700);
        await second.write(blob.bytes.subarray(1700));
        expect(await second.commit()).toMatchObject({ digest: blob.digest, size: 3000 });
        expectBytes(await store.readBytes(blob.digest), blob.bytes);
        expect(await store.ingests()).toEqual([]);
      });

      it('lists pending ingests with their expectation and offset', async () => {
        const blob = blobOf(800);
        const writer = await store.writer('listed', blob.expected);
        await writer.write(blob.bytes.subarray(0, 300));
        await writer.close();
        const other = blobOf(10);
        await (await store.writer('other', { digest: other.digest })).close();

        const statuses = (await store.ingests()).sort((a, b) => a.ref.localeCompare(b.ref));
        expect(statuses).toHaveLength(2);
        expect(statuses[0]).toMatchObject({ ref: 'listed', expected: blob.expected, offset: 300 });
        expect(statuses[0]!.updatedAt).toBeInstanceOf(Date);
        expect(statuses[1]).toMatchObject({ ref: 'other', expected: { digest: other.digest }, offset: 0 });
        expect(await collect(store.list())).toEqual([]);
      });

      it('resumes a named ingest() by skipping what is already written', async () => {
        const blob = blobOf(2000);
        const writer = await store.writer('pull-layer', blob.expected);
        await writer.write(blob.bytes.subarray(0, 900));
        await writer.close();
        const info = await store.ingest(blob.expected, chunked(blob.bytes, 128), { ref: 'pull-layer' });
        expect(info).toMatchObject({ digest: blob.digest, size: 2000 });
        expectBytes(await store.readBytes(blob.digest), blob.bytes);
      });

      it('learns the size on resume, and refuses another blob under the same ref', async () => {
        const blob = blobOf(400);
        await (await store.writer('sized-later', { digest: blob.digest })).close();
        const resumed = await store.writer('sized-later', blob.expected);
        await resumed.close();
        expect((await store.ingests())[0]?.expected).toEqual(blob.expected);
        await expectCode(store.writer('sized-later', blobOf(400).expected), 'FailedPrecondition');
        await expectCode(store.writer('sized-later', { digest: blob.digest, size: 401 }), 'FailedPrecondition');
      });

      it('discards the partial on writer abort', async () => {
        const blob = blobOf(600);
        const writer = await store.writer('aborted', blob.expected);
        await writer.write(blob.bytes.subarray(0, 200));
        await writer.abort();
        expect(await store.ingests()).toEqual([]);
        const fresh = await store.writer('aborted', blob.expected);
        expect(fresh.offset).toBe(0);
        await fresh.abort();
      });

      it('discards a pending ingest by ref with abortIngest', async () => {
        const blob = blobOf(600);
        const writer = await store.writer('abandoned', blob.expected);
        await writer.write(blob.bytes.subarray(0, 200));
        await writer.close();
        await store.abortIngest('abandoned');
        expect(await store.ingests()).toEqual([]);
        await expectCode(store.abortIngest('abandoned'), 'NotFound');
        await expectCode(store.abortIngest('never-started'), 'NotFound');
      });

      it('refuses abortIngest while a writer holds the ref', async () => {
        const blob = blobOf(600);
        const writer = await store.writer('busy', blob.expected);
        await writer.write(blob.bytes.subarray(0, 10));
        await expectCode(store.abortIngest('busy'), 'FailedPrecondition');
        await writer.write(blob.bytes.subarray(10));
        expect(await writer.commit()).toMatchObject({ digest: blob.digest });
      });
    });

    describe('concurrency', () => {
      it('commits one blob when ten ingests of one digest run at once', async () => {
        const blob = blobOf(256 * 1024);
        const infos = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.ingest(blob.expected, chunked(blob.bytes, 8192), { ref: `parallel-${i}` }),
          ),
        );
        for (const info of infos) expect(info).toMatchObject({ digest: blob.digest, size: blob.bytes.length });
        expect((await collect(store.list())).map((info) => info.digest)).toEqual([blob.digest]);
        expect(await store.ingests()).toEqual([]);
        expectBytes(await store.readBytes(blob.digest, { maxSize: blob.bytes.length }), blob.bytes);
      });

      it('commits one blob when ten anonymous ingests of one digest run at once', async () => {
        const blob = blobOf(64 * 1024);
        const infos = await Promise.all(
          Array.from({ length: 10 }, () => store.ingest(blob.expected, chunked(blob.bytes, 4096))),
        );
        expect(new Set(infos.map((info) => info.digest))).toEqual(new Set([blob.digest]));
        expect(await collect(store.list())).toHaveLength(1);
        expect(await store.ingests()).toEqual([]);
      });

      it('makes a second writer on a ref wait until the first is released', async () => {
        const blob = blobOf(1000);
        const events: string[] = [];
        const first = await store.writer('serial', blob.expected);
        const second = store.writer('serial', blob.expected).then((writer) => {
          events.push('second acquired');
          return writer;
        });
        await first.write(blob.bytes.subarray(0, 400));
        await settle();
        events.push('first released');
        await first.close();
        const writer = await second;
        expect(events).toEqual(['first released', 'second acquired']);
        expect(writer.offset).toBe(400);
        await writer.write(blob.bytes.subarray(400));
        expect(await writer.commit()).toMatchObject({ digest: blob.digest });
      });

      it('serialises ingest() calls sharing a ref', async () => {
        const blob = blobOf(50_000);
        const infos = await Promise.all(
          Array.from({ length: 4 }, () => store.ingest(blob.expected, chunked(blob.bytes, 1000), { ref: 'shared' })),
        );
        for (const info of infos) expect(info.digest).toBe(blob.digest);
        expectBytes(await store.readBytes(blob.digest), blob.bytes);
        expect(await store.ingests()).toEqual([]);
      });

      it('lets a signal abandon the wait for a held ref', async () => {
        const blob = blobOf(100);
        const first = await store.writer('contended', blob.expected);
        const controller = new AbortController();
        const waiting = store.writer('contended', blob.expected, { signal: controller.signal });
        controller.abort();
        await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
        await first.close();
        const next = await store.writer('contended', blob.expected);
        await next.abort();
      });
    });

    describe('aborting', () => {
      it('leaves no blob and no ingest when a signal aborts an anonymous ingest', async () => {
        const blob = blobOf(10_000);
        const controller = new AbortController();
        const attempt = store.ingest(blob.expected, stallingAfter(blob.bytes.subarray(0, 4000), controller), {
          signal: controller.signal,
        });
        await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
        expect(await store.has(blob.digest)).toBe(false);
        expect(await store.ingests()).toEqual([]);
      });

      it('keeps a named ingest resumable when a signal aborts it', async () => {
        const blob = blobOf(10_000);
        const controller = new AbortController();
        const attempt = store.ingest(blob.expected, stallingAfter(blob.bytes.subarray(0, 4000), controller), {
          signal: controller.signal,
          ref: 'interrupted',
        });
        await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
        expect(await store.has(blob.digest)).toBe(false);
        const [status] = await store.ingests();
        expect(status).toMatchObject({ ref: 'interrupted', offset: 4000 });
        await store.ingest(blob.expected, chunked(blob.bytes, 1000), { ref: 'interrupted' });
        expectBytes(await store.readBytes(blob.digest), blob.bytes);
      });
    });

    describe('list and delete', () => {
      it('lists committed blobs only', async () => {
        const blobs = [blobOf(10), blobOf(20), blobOf(30)];
        for (const blob of blobs) await store.ingest(blob.expected, chunked(blob.bytes, 10));
        const pending = await store.writer('pending', blobOf(40).expected);
        await pending.write(randomBytes(5));
        await pending.close();
        const listed = await collect(store.list());
        expect(listed.map((info) => info.digest).sort()).toEqual(blobs.map((blob) => blob.digest).sort());
        for (const info of listed) {
          expect(info.size).toBe(blobs.find((blob) => blob.digest === info.digest)!.bytes.length);
          expect(info.createdAt).toBeInstanceOf(Date);
        }
      });

      it('deletes a blob, then reports NotFound for it', async () => {
        const keep = blobOf(10);
        const gone = blobOf(20);
        await store.ingest(keep.expected, chunked(keep.bytes, 10));
        await store.ingest(gone.expected, chunked(gone.bytes, 10));
        await store.delete(gone.digest);
        expect(await store.has(gone.digest)).toBe(false);
        await expectCode(store.info(gone.digest), 'NotFound');
        await expectCode(store.read(gone.digest), 'NotFound');
        await expectCode(store.delete(gone.digest), 'NotFound');
        expect((await collect(store.list())).map((info) => info.digest)).toEqual([keep.digest]);
        await store.ingest(gone.expected, chunked(gone.bytes, 10));
        expectBytes(await store.readBytes(gone.digest), gone.bytes);
      });
    });
  });
}

interface TestBlob {
  bytes: Buffer;
  digest: Digest;
  expected: ExpectedBlob;
}

function blobOf(size: number): TestBlob {
  const bytes = randomBytes(size);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
  return { bytes, digest, expected: { digest, size } };
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Chunks from 1 byte to 300 KiB, so buffered writers meet every boundary case. */
async function* unevenChunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  const sizes = [1, 7, 4096, 65_536, 300 * 1024, 1023, 1024 * 1024 + 1];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

/** Yields `head`, then aborts `controller` and never yields again. */
async function* stallingAfter(head: Uint8Array, controller: AbortController): AsyncGenerator<Uint8Array> {
  yield* chunked(head, 1000);
  controller.abort();
  await new Promise<never>(() => {});
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.compare(Buffer.from(actual.buffer, actual.byteOffset, actual.length), expected)).toBe(0);
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, `expected a ${code} error`).toBeDefined();
  expect(errorCode(error)).toBe(code);
}

/** A few turns of the event loop, so that anything not blocked gets to run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
