import { InternalError, InvalidArgumentError } from '@berth/errdefs';

/** Which stream a chunk of a demultiplexed attach/logs/exec stream belongs to. */
export type OutputStreamName = 'stdin' | 'stdout' | 'stderr';

/** A piece of a container's output, tagged with its stream. */
export interface StreamChunk {
  stream: OutputStreamName;
  data: Buffer;
}

export const frameHeaderLength = 8;
const streamNames: Record<number, OutputStreamName> = { 0: 'stdin', 1: 'stdout', 2: 'stderr' };
const systemErrStream = 3;
// A system error frame is a message, not output; cap it so a broken peer cannot make us buffer much.
const maxSystemErrorBytes = 64 * 1024;

/**
 * Incremental parser of docker's multiplexed stream: `[type, 0, 0, 0, size (uint32 BE)]` then
 * `size` bytes. Payloads are passed on as they arrive (never buffered whole), so a frame split
 * over many chunks yields several pieces of the same stream. Headers split across chunks are
 * reassembled.
 */
export class FrameParser {
  private header = Buffer.alloc(frameHeaderLength);
  private headerFilled = 0;
  private stream: OutputStreamName | 'systemErr' | undefined;
  private remaining = 0;
  private systemError: Buffer[] = [];

  /**
   * Set once the stream turned out corrupt or carried a daemon error; the parser then stops.
   * Callers hand on the pieces {@link push} returned before it, then throw it.
   */
  failure: Error | undefined;

  /** Parses one chunk; returns the output pieces it completed (up to a failure, if any). */
  push(chunk: Uint8Array): StreamChunk[] {
    const out: StreamChunk[] = [];
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let offset = 0;
    while (offset < bytes.length && this.failure === undefined) {
      if (this.stream === undefined) {
        const take = Math.min(frameHeaderLength - this.headerFilled, bytes.length - offset);
        bytes.copy(this.header, this.headerFilled, offset, offset + take);
        this.headerFilled += take;
        offset += take;
        if (this.headerFilled < frameHeaderLength) break;
        this.startFrame();
        continue;
      }
      const take = Math.min(this.remaining, bytes.length - offset);
      const piece = bytes.subarray(offset, offset + take);
      offset += take;
      this.remaining -= take;
      if (this.stream === 'systemErr') this.systemError.push(Buffer.from(piece));
      else if (piece.length > 0) out.push({ stream: this.stream, data: piece });
      if (this.remaining === 0) this.endFrame();
    }
    return out;
  }

  /**
   * Whether the stream ended cleanly. Like docker's `stdcopy`, a stream cut inside a header or a
   * payload is not an error: the connection simply ended.
   */
  get atFrameBoundary(): boolean {
    return this.stream === undefined && this.headerFilled === 0;
  }

  private startFrame(): void {
    const type = this.header[0] ?? -1;
    const size = this.header.readUInt32BE(4);
    this.headerFilled = 0;
    if (type === systemErrStream) {
      if (size > maxSystemErrorBytes) {
        this.failure = new InvalidArgumentError(`error frame of ${size} bytes in multiplexed stream is too large`);
        return;
      }
      this.stream = 'systemErr';
    } else {
      const name = streamNames[type];
      // dockerd's stdcopy text, so clients see the same message either way.
      if (name === undefined) {
        this.failure = new InvalidArgumentError(`Unrecognized input header: ${type}`);
        return;
      }
      this.stream = name;
    }
    this.remaining = size;
    if (size === 0) this.endFrame();
  }

  private endFrame(): void {
    const stream = this.stream;
    this.stream = undefined;
    if (stream === 'systemErr') {
      const message = Buffer.concat(this.systemError).toString('utf8');
      this.systemError = [];
      this.failure = new InternalError(`error from daemon in stream: ${message}`);
    }
  }
}
