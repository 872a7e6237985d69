import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isInternal, isInvalidArgument } from '@berth/errdefs';
import { describe, expect, it } from 'vitest';
import {
  MultiplexDecoder,
  MultiplexEncoder,
  createAttachEncoder,
  decodeAttachStream,
  demultiplexStream,
  encodeFrameHeader,
  systemErrorFrame,
} from '@berth/docker-api';
import type { StreamChunk } from '@berth/docker-api';

function frame(type: number, payload: string): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Splits bytes into chunks at the given offsets. */
function splitAt(bytes: Buffer, offsets: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets, bytes.length]) {
    chunks.push(bytes.subarray(start, offset));
    start = offset;
  }
  return chunks;
}

async function collect(source: AsyncIterable<StreamChunk>): Promise<{ stdout: string; stderr: string; order: string[] }> {
  let stdout = '';
  let stderr = '';
  const order: string[] = [];
  for await (const chunk of source) {
    if (chunk.stream === 'stdout') stdout += chunk.data.toString();
    if (chunk.stream === 'stderr') stderr += chunk.data.toString();
    if (order.at(-1) !== chunk.stream) order.push(chunk.stream);
  }
  return { stdout, stderr, order };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('multiplexed stream framing', () => {
  it('encodes the 8-byte header: type, three zero bytes, big-endian size', () => {
    expect([...encodeFrameHeader('stdout', 5)]).toEqual([1, 0, 0, 0, 0, 0, 0, 5]);
    expect([...encodeFrameHeader('stderr', 0x01020304)]).toEqual([2, 0, 0, 0, 1, 2, 3, 4]);
    expect(() => encodeFrameHeader('stdout', 2 ** 32)).toThrow(RangeError);
  });

  it('frames each written chunk with its stream, dropping empty chunks', async () => {
    const encoder = new MultiplexEncoder();
    const output = readAll(encoder);
    encoder.write({ stream: 'stdout', data: Buffer.from('out') });
    encoder.write({ stream: 'stderr', data: Buffer.from('') });
    encoder.end({ stream: 'stderr', data: Buffer.from('err!') });
    expect(await output).toEqual(Buffer.concat([frame(1, 'out'), frame(2, 'err!')]));
  });

  const stream = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, 'world'), frame(0, '')]);

  it('decodes frames split at every possible offset, header included', async () => {
    for (let offset = 1; offset < stream.length; offset++) {
      const result = await collect(demultiplexStream(splitAt(stream, [offset])));
      expect(result).toEqual({ stdout: 'hello world', stderr: 'oops', order: ['stdout', 'stderr', 'stdout'] });
    }
  });

  it('decodes a stream delivered one byte at a time', async () => {
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    expect((await collect(demultiplexStream(bytes))).stdout).toBe('hello world');
  });

  it('passes payload pieces on without waiting for the whole frame', async () => {
    const pieces: string[] = [];
    for await (const chunk of demultiplexStream(splitAt(frame(1, 'abcdef'), [10, 12]))) pieces.push(chunk.data.toString());
    expect(pieces).toEqual(['ab', 'cd', 'ef']);
  });

  it('works as a Transform, round-tripping the encoder', async () => {
    const encoder = new MultiplexEncoder();
    const decoder = new MultiplexDecoder();
    const received: StreamChunk[] = [];
    decoder.on('data', (chunk: StreamChunk) => received.push(chunk));
    await pipeline(
      Readable.from([{ stream: 'stdout', data: Buffer.from('a') }, { stream: 'stderr', data: Buffer.from('b') }], { objectMode: true }),
      encoder,
      decoder,
    );
    expect(received.map((chunk) => `${chunk.stream}:${chunk.data.toString()}`)).toEqual(['stdout:a', 'stderr:b']);
  });

  it('ends quietly when the stream is cut mid-frame, as docker stdcopy does', async () => {
    const cut = Buffer.concat([frame(1, 'done'), frame(2, 'partial').subarray(0, 10)]);
    expect(await collect(demultiplexStream([cut]))).toEqual({ stdout: 'done', stderr: 'pa', order: ['stdout', 'stderr'] });
    expect((await collect(demultiplexStream([Buffer.concat([frame(1, 'x'), Buffer.from([1, 0, 0])])]))).stdout).toBe('x');
  });

  it('throws the daemon error carried by a system error frame, after the output before it', async () => {
    const seen: string[] = [];
    const source = [Buffer.concat([frame(1, 'before'), systemErrorFrame('log file is gone')])];
    let failure: unknown;
    try {
      for await (const chunk of demultiplexStream(source)) seen.push(chunk.data.toString());
    } catch (err) {
      failure = err;
    }
    expect(seen).toEqual(['before']);
    expect(isInternal(failure)).toBe(true);
    expect((failure as Error).message).toBe('error from daemon in stream: log file is gone');
  });

  it('rejects an unknown stream type', async () => {
    await expect(collect(demultiplexStream([frame(7, 'x')]))).rejects.toSatisfy(
      (err: unknown) => isInvalidArgument(err) && (err as Error).message === 'Unrecognized input header: 7',
    );
    const decoder = new MultiplexDecoder();
    await expect(pipeline(Readable.from([frame(9, 'x')]), decoder, async function* (source) {
      for await (const _ of source) yield _;
    })).rejects.toThrow('Unrecognized input header: 9');
  });
});

describe('TTY streams', () => {
  it('pass raw bytes through unframed, as stdout', async () => {
    const encoder = createAttachEncoder({ tty: true });
    const output = readAll(encoder);
    encoder.write({ stream: 'stdout', data: Buffer.from('$ ') });
    encoder.end({ stream: 'stderr', data: Buffer.from('ls\r\n') });
    const raw = await output;
    expect(raw.toString()).toBe('$ ls\r\n');
    const decoded = await collect(decodeAttachStream([raw.subarray(0, 3), raw.subarray(3)], { tty: true }));
    expect(decoded).toEqual({ stdout: '$ ls\r\n', stderr: '', order: ['stdout'] });
  });

  it('are demultiplexed when there is no TTY', async () => {
    const encoder = createAttachEncoder({ tty: false });
    const output = readAll(encoder);
    encoder.end({ stream: 'stderr', data: Buffer.from('e') });
    const decoded = await collect(decodeAttachStream([await output], { tty: false }));
    expect(decoded.stderr).toBe('e');
  });
});
