import type { FileHandle } from 'node:fs/promises';

/** Big enough that a pull issues one `pwrite` per MiB, small enough to keep two per ingest. */
const defaultBufferSize = 1024 * 1024;

/**
 * Appends bytes to an open file at a running position, double-buffered: chunks are copied
 * into a buffer that is written with one positional write when full, while the next one
 * fills. So a stream of small network chunks costs one syscall per buffer, the hashing
 * and copying of the next chunks overlap the disk write, and callers may reuse their
 * chunk as soon as {@link append} resolves. A write error is reported by the next
 * `append` or `flush`.
 */
export class FileAppender {
  #active: Buffer;
  #filled = 0;
  #spare: Buffer | undefined;
  #position: number;
  #inflight: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;

  constructor(
    private readonly file: FileHandle,
    position: number,
    private readonly bufferSize = defaultBufferSize,
  ) {
    this.#position = position;
    this.#active = Buffer.allocUnsafe(bufferSize);
  }

  /** Takes a copy of `chunk`; resolves once it is buffered (waits while both buffers are busy). */
  async append(chunk: Uint8Array): Promise<void> {
    this.#throwFailure();
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(chunk.length - at, this.bufferSize - this.#filled);
      this.#active.set(chunk.subarray(at, at + take), this.#filled);
      this.#filled += take;
      at += take;
      if (this.#filled === this.bufferSize) await this.#writeActive();
    }
  }

  /** Writes out everything buffered; resolves when the file holds it (not synced). */
  async flush(): Promise<void> {
    if (this.#filled > 0) await this.#writeActive();
    await this.#inflight;
    this.#throwFailure();
  }

  async #writeActive(): Promise<void> {
    await this.#inflight; // the previous buffer becomes the spare
    this.#throwFailure();
    const buffer = this.#active;
    const length = this.#filled;
    const position = this.#position;
    this.#active = this.#spare ?? Buffer.allocUnsafe(this.bufferSize);
    this.#spare = undefined;
    this.#filled = 0;
    this.#position += length;
    this.#inflight = writeFully(this.file, buffer, length, position).then(
      () => {
        this.#spare = buffer;
      },
      (error: unknown) => {
        this.#failure = { error };
      },
    );
  }

  #throwFailure(): void {
    if (this.#failure) throw this.#failure.error;
  }
}

/** `pwrite` until all of it is written: a write may be short. */
async function writeFully(file: FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await file.write(buffer, done, length - done, position + done);
    done += bytesWritten;
  }
}
