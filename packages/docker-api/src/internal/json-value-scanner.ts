import { InvalidArgumentError } from '@berth/errdefs';

const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const quote = 0x22;
const backslash = 0x5c;
const whitespace = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Incremental splitter of a stream of JSON objects (or arrays), as Go's `json.Decoder` reads
 * them: separated by newlines, `\r\n`, any whitespace or nothing at all (`}{`), and split across
 * chunks anywhere, even inside a multi-byte character. Works on bytes, so UTF-8 is decoded only
 * once a value is whole.
 */
export class JsonValueScanner {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly maxValueBytes: number) {}

  /** Feeds a chunk; returns the values it completed, parsed. Throws `InvalidArgumentError` on bad input. */
  push(chunk: Uint8Array): unknown[] {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const values: unknown[] = [];
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      if (this.depth === 0) {
        if (whitespace.has(byte)) continue;
        if (byte !== openBrace && byte !== openBracket) {
          throw new InvalidArgumentError(`invalid character ${JSON.stringify(String.fromCharCode(byte))} looking for beginning of a JSON message`);
        }
        start = i;
        this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === backslash) this.escaped = true;
        else if (byte === quote) this.inString = false;
        continue;
      }
      if (byte === quote) this.inString = true;
      else if (byte === openBrace || byte === openBracket) this.depth++;
      else if (byte === closeBrace || byte === closeBracket) {
        this.depth--;
        if (this.depth === 0) {
          values.push(this.parse(bytes.subarray(start, i + 1)));
          start = -1;
        }
      }
    }
    if (this.depth > 0 && start >= 0) {
      const rest = bytes.subarray(start);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxValueBytes) {
        throw new InvalidArgumentError(`JSON message in stream exceeds ${this.maxValueBytes} bytes`);
      }
      // Copy: the caller may reuse its chunk buffer.
      this.pending.push(Buffer.from(rest));
    }
    return values;
  }

  /** Throws when the stream stopped in the middle of a value. */
  end(): void {
    if (this.depth > 0) throw new InvalidArgumentError('unexpected end of JSON message stream');
  }

  private parse(tail: Buffer): unknown {
    const text = (this.pending.length === 0 ? tail : Buffer.concat([...this.pending, tail])).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new InvalidArgumentError(`invalid JSON message in stream: ${(cause as Error).message}`, { cause });
    }
  }
}
