import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { FrameParser, frameHeaderLength } from '../internal/frame-parser.js';
import type { OutputStreamName, StreamChunk } from '../internal/frame-parser.js';

export type { OutputStreamName, StreamChunk };

/** `Content-Type` of an attach/exec stream without a TTY: framed stdout/stderr. */
export const MULTIPLEXED_STREAM_CONTENT_TYPE = 'application/vnd.docker.multiplexed-stream';
/** `Content-Type` of an attach/exec stream with a TTY: raw bytes, no framing. */
export const RAW_STREAM_CONTENT_TYPE = 'application/vnd.docker.raw-stream';

/** The stream type byte of a frame header; `systemErr` carries an error message from the daemon. */
export const StreamType = { stdin: 0, stdout: 1, stderr: 2, systemErr: 3 } as const;

// A frame's size is a uint32.
const maxFrameSize = 0xffff_ffff;

/** The 8-byte header of a frame: `[type, 0, 0, 0, size (uint32 big-endian)]`. */
export function encodeFrameHeader(stream: OutputStreamName | 'systemErr', size: number): Buffer {
  if (!Number.isInteger(size) || size < 0 || size > maxFrameSize) throw new RangeError(`frame size ${size} out of range`);
  const header = Buffer.alloc(frameHeaderLength);
  header[0] = StreamType[stream];
  header.writeUInt32BE(size, 4);
  return header;
}

/**
 * A frame that reports an error in the middle of a stream, as dockerd does when reading logs
 * fails after the response started. Clients decoding it throw `error from daemon in stream: …`.
 */
export function systemErrorFrame(message: string): Buffer {
  const payload = Buffer.from(message, 'utf8');
  return Buffer.concat([encodeFrameHeader('systemErr', payload.length), payload]);
}

/**
 * Frames output for a non-TTY attach, exec or logs response. Write {@link StreamChunk}s (object
 * mode); read the multiplexed bytes. Each chunk becomes one frame (payload not copied); empty
 * chunks are dropped because a zero-size frame says nothing.
 */
export class MultiplexEncoder extends Transform {
  constructor() {
    super({ writableObjectMode: true });
  }

  override _transform(chunk: StreamChunk, _encoding: BufferEncoding, callback: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.data.length) {
      const size = Math.min(chunk.data.length - offset, maxFrameSize);
      this.push(encodeFrameHeader(chunk.stream, size));
      this.push(chunk.data.subarray(offset, offset + size));
      offset += size;
    }
    callback();
  }
}

/**
 * Splits a multiplexed stream back into stdout/stderr. Write bytes; read {@link StreamChunk}s
 * (object mode). Frames may be split across chunks anywhere, header included. A `systemErr`
 * frame fails the stream with `InternalError('error from daemon in stream: …')`; an unknown
 * stream type with `InvalidArgumentError('Unrecognized input header: N')`.
 */
export class MultiplexDecoder extends Transform {
  private readonly parser = new FrameParser();

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (const piece of this.parser.push(chunk)) this.push(piece);
    callback(this.parser.failure);
  }
}

/**
 * Demultiplexes an async byte source (a response body, a socket) into {@link StreamChunk}s as an
 * async iterator. Same rules as {@link MultiplexDecoder}; a source cut mid-frame just ends.
 */
export async function* demultiplexStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<StreamChunk, void, undefined> {
  const parser = new FrameParser();
  for await (const chunk of source) {
    yield* parser.push(chunk);
    if (parser.failure !== undefined) throw parser.failure;
  }
}

/** Whether a stream is a TTY stream (raw) or not (multiplexed): what the container or exec was created with. */
export interface AttachStreamOptions {
  tty: boolean;
}

/**
 * Reads an attach/exec/logs stream either way: with a TTY the bytes are raw and all count as
 * stdout (a TTY merges stderr into it); without, they are demultiplexed.
 */
export async function* decodeAttachStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: AttachStreamOptions,
): AsyncGenerator<StreamChunk, void, undefined> {
  if (!options.tty) {
    yield* demultiplexStream(source);
    return;
  }
  for await (const chunk of source) {
    if (chunk.byteLength > 0) yield { stream: 'stdout', data: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) };
  }
}

/**
 * The encoder for an attach/exec/logs response: a {@link MultiplexEncoder} without a TTY, or a
 * raw passthrough with one (the stream tag is dropped: a TTY has a single output).
 */
export function createAttachEncoder(options: AttachStreamOptions): Transform {
  if (!options.tty) return new MultiplexEncoder();
  return new Transform({
    writableObjectMode: true,
    transform(chunk: StreamChunk, _encoding, callback) {
      callback(null, chunk.data.length > 0 ? chunk.data : undefined);
    },
  });
}
