import { Transform, type TransformCallback } from 'node:stream';
import { InvalidArgumentError } from '@berth/errdefs';

/** docker's default detach sequence: ctrl-p ctrl-q. */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** The characters `ctrl-X` accepts besides letters, with the control codes they stand for. */
const CONTROL_PUNCTUATION: Readonly<Record<string, number>> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/**
 * The bytes of a detach sequence written as docker writes it: comma-separated keys, each a
 * single character or `ctrl-<a-z, @, [, \, ], ^ or _>` (`ctrl-p,ctrl-q`, `ctrl-a,x`).
 * `InvalidArgument` names the key it cannot read.
 */
export function parseDetachKeys(spec: string): Buffer {
  const bytes: number[] = [];
  for (const key of spec.split(',')) {
    const control = /^ctrl-(.)$/i.exec(key);
    if (control) {
      const character = control[1]!;
      const letter = character.toLowerCase();
      if (letter >= 'a' && letter <= 'z') bytes.push(letter.charCodeAt(0) - 96);
      else if (CONTROL_PUNCTUATION[character] !== undefined) bytes.push(CONTROL_PUNCTUATION[character]);
      else throw new InvalidArgumentError(`invalid detach keys (${spec}): unknown character '${key}'`);
    } else if (key.length === 1) {
      bytes.push(key.charCodeAt(0));
    } else {
      throw new InvalidArgumentError(`invalid detach keys (${spec}): unknown character '${key}'`);
    }
  }
  return Buffer.from(bytes);
}

/**
 * Passes keyboard input through to a container until the detach sequence is typed. Bytes
 * that could begin the sequence are held back until it either completes — then they are
 * dropped, the stream ends and `detached` resolves — or breaks, when they go through after
 * all. That is how docker's attach reads the keys, so typing ctrl-p alone still reaches
 * the container.
 */
export class DetachKeyFilter extends Transform {
  /** Resolves once the whole sequence was typed. */
  readonly detached: Promise<void>;
  readonly #keys: Buffer;
  #matched = 0;
  #done = false;
  #resolveDetached!: () => void;

  constructor(keys: Buffer) {
    super();
    this.#keys = keys;
    this.detached = new Promise((resolve) => (this.#resolveDetached = resolve));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // Typed after the detach: nobody is listening any more.
    if (this.#done) {
      callback();
      return;
    }
    const out: number[] = [];
    for (let index = 0; index < chunk.length; index += 1) {
      const byte = chunk[index]!;
      if (this.#matched > 0 && byte !== this.#keys[this.#matched]) {
        // The sequence broke: what was held back is ordinary input, and this byte may start it anew.
        out.push(...this.#keys.subarray(0, this.#matched));
        this.#matched = 0;
      }
      if (byte !== this.#keys[this.#matched]) {
        out.push(byte);
        continue;
      }
      this.#matched += 1;
      if (this.#matched === this.#keys.length) {
        if (out.length > 0) this.push(Buffer.from(out));
        this.#done = true;
        this.#resolveDetached();
        this.push(null);
        callback();
        return;
      }
    }
    if (out.length > 0) this.push(Buffer.from(out));
    callback();
  }

  /** Input that ended partway into the sequence was ordinary input after all. */
  override _flush(callback: TransformCallback): void {
    if (!this.#done && this.#matched > 0) this.push(this.#keys.subarray(0, this.#matched));
    callback();
  }
}
