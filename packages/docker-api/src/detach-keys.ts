import { InvalidArgumentError } from '@berth/errdefs';

/** docker's default detach sequence: ctrl-p, ctrl-q. */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

function invalidKey(spec: string, key: string): InvalidArgumentError {
  return new InvalidArgumentError(`Invalid escape keys (${spec}) provided: unknown character '${key}'`);
}

/**
 * Parses a detach key spec (the `detachKeys` query parameter, the CLI's `--detach-keys`) as
 * docker's `term.ToBytes`: comma-separated keys, each a single character or
 * `ctrl-<a-z, @, [, \, ], ^, _>`. Invalid specs are `InvalidArgument` with dockerd's text and
 * the key that could not be read.
 */
export function parseDetachKeys(spec: string): Buffer {
  const bytes: number[] = [];
  for (const key of spec.split(',')) {
    const lower = key.toLowerCase();
    if (lower.startsWith('ctrl-') && key.length === 6) {
      const c = lower.charCodeAt(5);
      if (c >= 97 && c <= 122) bytes.push(c - 96);
      // ctrl-@ is NUL; ctrl-[ ctrl-\ ctrl-] ctrl-^ ctrl-_ are 27–31 (ESC, FS, GS, RS, US).
      else if ('@[\\]^_'.includes(lower[5]!)) bytes.push(lower[5] === '@' ? 0 : 26 + '@[\\]^_'.indexOf(lower[5]!));
      else throw invalidKey(spec, key);
    } else if (key.length === 1) {
      bytes.push(key.charCodeAt(0));
    } else {
      throw invalidKey(spec, key);
    }
  }
  return Buffer.from(bytes);
}

/**
 * Watches keyboard input for the detach sequence (dockerd on an attach's stdin, the CLI on its
 * own). Bytes that could start the sequence are held back until it is clear they are not it
 * (then passed on); the sequence itself is swallowed.
 */
export class DetachKeyScanner {
  #held = 0;

  constructor(private readonly keys: Buffer) {}

  /** Returns the bytes to pass on and whether the sequence completed (the rest is dropped). */
  push(chunk: Buffer): { pass: Buffer; detached: boolean } {
    if (this.keys.length === 0) return { pass: chunk, detached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.#held]) {
        this.#held++;
        if (this.#held === this.keys.length) return { pass: Buffer.from(out), detached: true };
        continue;
      }
      if (this.#held > 0) {
        out.push(...this.keys.subarray(0, this.#held));
        this.#held = 0;
      }
      if (byte === this.keys[0]) this.#held = 1;
      else out.push(byte);
    }
    return { pass: Buffer.from(out), detached: false };
  }

  /** The bytes held back when the input ended partway into the sequence: ordinary input after all. */
  flush(): Buffer {
    const held = this.keys.subarray(0, this.#held);
    this.#held = 0;
    return Buffer.from(held);
  }
}
