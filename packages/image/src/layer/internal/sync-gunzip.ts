import { type Gunzip, constants, createGunzip } from 'node:zlib';

/** The parts of Node's zlib stream object that its own one-shot `gunzipSync` drives. */
interface ZlibInternals {
  _handle: {
    writeSync(flush: number, input: Buffer, inOffset: number, inLength: number, output: Buffer, outOffset: number, outLength: number): void;
    onerror: (message: string, errno: number, code?: string) => void;
  } | null;
  /** After each write: [avail_out, avail_in]. */
  _writeState: Uint32Array;
}

const outputChunkSize = 256 << 10;

/**
 * Streaming gunzip on the calling thread. Node's zlib streams inflate in the libuv thread
 * pool (four threads shared by the whole process): layers applied in worker threads would
 * then queue their inflating behind — and in front of — the main thread's file I/O, and
 * the downloads stall. A layer worker has a thread of its own, so it inflates there, with
 * the same native inflater Node's `gunzipSync` drives (multi-member gzip, the same
 * errors). {@link SyncGunzip.create} returns `undefined` where this Node does not expose
 * it; callers then use the ordinary stream.
 */
export class SyncGunzip {
  private output = Buffer.allocUnsafe(outputChunkSize);
  private outputOffset = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly engine: Gunzip,
    private readonly internals: ZlibInternals,
  ) {
    internals._handle!.onerror = (message, errno, code) => {
      this.failure ??= Object.assign(new Error(message), { errno, code });
    };
  }

  /** A synchronous inflater, or `undefined` if this Node's zlib internals are not as expected. */
  static create(): SyncGunzip | undefined {
    const engine = createGunzip({ chunkSize: outputChunkSize });
    const internals = engine as unknown as ZlibInternals;
    if (typeof internals._handle?.writeSync !== 'function' || !(internals._writeState instanceof Uint32Array)) {
      engine.close();
      return undefined;
    }
    return new SyncGunzip(engine, internals);
  }

  /** Inflates `input`; returns the output it completes (views of fresh buffers, never reused). Throws on corrupt data. */
  write(input: Buffer): Buffer[] {
    return this.run(input, constants.Z_NO_FLUSH);
  }

  /** Ends the stream: returns the last output; throws if the data ended in the middle of a member. */
  finish(): Buffer[] {
    return this.run(Buffer.alloc(0), constants.Z_FINISH);
  }

  /** Frees the native inflater. */
  close(): void {
    this.engine.close();
  }

  private run(input: Buffer, flush: number): Buffer[] {
    const handle = this.internals._handle;
    if (handle === null) throw new Error('the inflater is closed');
    const state = this.internals._writeState;
    const produced: Buffer[] = [];
    let inputOffset = 0;
    let inputLeft = input.length;
    for (;;) {
      const room = this.output.length - this.outputOffset;
      handle.writeSync(flush, input, inputOffset, inputLeft, this.output, this.outputOffset, room);
      if (this.failure) throw this.failure;
      const [roomLeft, inputLeftAfter] = [state[0]!, state[1]!];
      const have = room - roomLeft;
      if (have > 0) {
        produced.push(this.output.subarray(this.outputOffset, this.outputOffset + have));
        this.outputOffset += have;
      }
      if (roomLeft === 0) {
        // The output buffer is full: hand it over and go on with a new one.
        this.output = Buffer.allocUnsafe(outputChunkSize);
        this.outputOffset = 0;
        inputOffset += inputLeft - inputLeftAfter;
        inputLeft = inputLeftAfter;
        continue;
      }
      return produced;
    }
  }
}
