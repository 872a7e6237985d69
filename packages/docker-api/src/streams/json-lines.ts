import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';
import { JsonValueScanner } from '../internal/json-value-scanner.js';

/** How many bytes one message may span before the decoder gives up: far above any real progress or event message. */
export const DEFAULT_MAX_JSON_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Line ending after each message. dockerd ends progress messages (pull, push, build, load)
 * with `\r\n` and events with `\n`; decoders accept either.
 */
export type JsonLineEnding = '\n' | '\r\n';

/** Options of {@link JsonLinesEncoder}. */
export interface JsonLinesEncoderOptions {
  /** Defaults to `\n`; use `\r\n` to match dockerd's progress streams byte for byte. */
  lineEnding?: JsonLineEnding;
}

/**
 * Writes newline-delimited JSON: write objects (object mode), read bytes, one message per line.
 * Used for `/events` and for progress streams (`/images/create`, push, load, build).
 */
export class JsonLinesEncoder extends Transform {
  private readonly lineEnding: JsonLineEnding;

  constructor(options: JsonLinesEncoderOptions = {}) {
    super({ writableObjectMode: true });
    this.lineEnding = options.lineEnding ?? '\n';
  }

  override _transform(message: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, Buffer.from(JSON.stringify(message) + this.lineEnding, 'utf8'));
  }
}

/** Options of {@link decodeJsonLines} and {@link JsonLinesDecoder}. */
export interface JsonLinesDecoderOptions<T> {
  /** Validates each message; a mismatch throws `InvalidArgumentError`. Without it messages are `unknown`. */
  schema?: z.ZodType<T>;
  /** Upper bound of one message, default {@link DEFAULT_MAX_JSON_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
}

function validate<T>(value: unknown, schema: z.ZodType<T> | undefined): T {
  if (schema === undefined) return value as T;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidArgumentError(`invalid JSON message in stream: ${z.prettifyError(result.error)}`, { cause: result.error });
  }
  return result.data;
}

/**
 * Reads a stream of JSON messages (progress, events) as an async iterator. Messages may be
 * split across chunks anywhere and separated by `\n`, `\r\n` or nothing. A stream that ends
 * inside a message throws `InvalidArgumentError`.
 */
export async function* decodeJsonLines<T = unknown>(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: JsonLinesDecoderOptions<T> = {},
): AsyncGenerator<T, void, undefined> {
  const scanner = new JsonValueScanner(options.maxMessageBytes ?? DEFAULT_MAX_JSON_MESSAGE_BYTES);
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (const value of scanner.push(bytes)) yield validate(value, options.schema);
  }
  scanner.end();
}

/** The {@link decodeJsonLines} rules as a Transform: write bytes, read messages (object mode). */
export class JsonLinesDecoder<T = unknown> extends Transform {
  private readonly scanner: JsonValueScanner;
  private readonly schema: z.ZodType<T> | undefined;

  constructor(options: JsonLinesDecoderOptions<T> = {}) {
    super({ readableObjectMode: true });
    this.scanner = new JsonValueScanner(options.maxMessageBytes ?? DEFAULT_MAX_JSON_MESSAGE_BYTES);
    this.schema = options.schema;
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      for (const value of this.scanner.push(bytes)) this.push(validate(value, this.schema));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.scanner.end();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}
