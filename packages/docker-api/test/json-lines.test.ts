import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isInvalidArgument } from '@berth/errdefs';
import { describe, expect, it } from 'vitest';
import {
  EventMessageSchema,
  JsonLinesDecoder,
  JsonLinesEncoder,
  ProgressMessageSchema,
  decodeJsonLines,
  progressErrorMessage,
} from '@berth/docker-api';

async function decodeAll(chunks: (Buffer | string)[], options = {}): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const value of decodeJsonLines(chunks, options)) out.push(value);
  return out;
}

describe('newline-delimited JSON', () => {
  const messages = [
    { status: 'Pulling fs layer', id: 'a46f', progressDetail: {} },
    { status: 'Downloading', id: 'a46f', progressDetail: { current: 1, total: 2 }, progress: '[=> ] "quoted" }{ braces' },
    { stream: 'Step 1/2 : FROM busybox\n', aux: { ID: 'sha256:x' } },
    { status: 'ünïcödé ✓ 🐳' },
  ];

  it('encodes one message per line, with \\n or dockerd progress \\r\\n', async () => {
    const encoder = new JsonLinesEncoder({ lineEnding: '\r\n' });
    const chunks: Buffer[] = [];
    encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    await pipeline(Readable.from(messages.slice(0, 2), { objectMode: true }), encoder);
    expect(Buffer.concat(chunks).toString()).toBe(messages.slice(0, 2).map((m) => `${JSON.stringify(m)}\r\n`).join(''));
    const plain = new JsonLinesEncoder();
    plain.end({ Type: 'container' });
    expect(String(plain.read())).toBe('{"Type":"container"}\n');
  });

  it('decodes messages split at every byte offset, multi-byte characters included', async () => {
    const bytes = Buffer.from(messages.map((m) => `${JSON.stringify(m)}\r\n`).join(''));
    for (let offset = 1; offset < bytes.length; offset++) {
      expect(await decodeAll([bytes.subarray(0, offset), bytes.subarray(offset)])).toEqual(messages);
    }
  });

  it('accepts \\n, blank lines and back-to-back objects, as Go json.Decoder does', async () => {
    expect(await decodeAll(['{"a":1}\n\n{"b":[1,{"c":"}"}]}{"d":"\\"}"}', '\n'])).toEqual([{ a: 1 }, { b: [1, { c: '}' }] }, { d: '"}' }]);
  });

  it('validates with a schema when given one', async () => {
    const events = await decodeAll(['{"Type":"volume","Action":"create","time":1}\n'], { schema: EventMessageSchema });
    expect(events).toEqual([{ Type: 'volume', Action: 'create', time: 1 }]);
    await expect(decodeAll(['{"Type":1}\n'], { schema: EventMessageSchema })).rejects.toSatisfy(isInvalidArgument);
  });

  it('rejects garbage, truncated messages and oversized messages', async () => {
    await expect(decodeAll(['oops\n'])).rejects.toSatisfy(isInvalidArgument);
    await expect(decodeAll(['{"a":1}\n{"b":'])).rejects.toThrow('unexpected end of JSON message stream');
    await expect(decodeAll(['{"a":"', 'x'.repeat(100), '"}'], { maxMessageBytes: 50 })).rejects.toThrow('exceeds 50 bytes');
    await expect(decodeAll(['{"a":tru}'])).rejects.toThrow('invalid JSON message in stream');
  });

  it('works as a Transform', async () => {
    const decoder = new JsonLinesDecoder({ schema: ProgressMessageSchema });
    const received: unknown[] = [];
    decoder.on('data', (message: unknown) => received.push(message));
    await pipeline(Readable.from([Buffer.from('{"status":"a"}\r\n{"sta'), Buffer.from('tus":"b"}\r\n')]), decoder);
    expect(received).toEqual([{ status: 'a' }, { status: 'b' }]);
    const truncated = new JsonLinesDecoder();
    truncated.resume();
    await expect(pipeline(Readable.from([Buffer.from('{"status":')]), truncated)).rejects.toSatisfy(isInvalidArgument);
  });

  it('writes a stream-ending error the way dockerd does', () => {
    expect(progressErrorMessage('manifest unknown')).toEqual({ errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' });
    expect(ProgressMessageSchema.parse(progressErrorMessage('x')).errorDetail?.message).toBe('x');
  });
});
