import { Transform, type TransformCallback } from 'node:stream';
import { DetachKeyScanner } from '@berth/docker-api';

/**
 * Passes keyboard input through to a container until the detach sequence is typed — the
 * scanner dockerd runs on an attach's stdin, here on the CLI's own side so detaching works
 * against any engine. Bytes that could begin the sequence are held back until it either
 * completes — then they are dropped, the stream ends and `detached` resolves — or breaks,
 * when they go through after all; typing ctrl-p alone still reaches the container.
 */
export class DetachKeyFilter extends Transform {
  /** Resolves once the whole sequence was typed. */
  readonly detached: Promise<void>;
  readonly #scanner: DetachKeyScanner;
  #done = false;
  #resolveDetached!: () => void;

  constructor(keys: Buffer) {
    super();
    this.#scanner = new DetachKeyScanner(keys);
    this.detached = new Promise((resolve) => (this.#resolveDetached = resolve));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // Typed after the detach: nobody is listening any more.
    if (this.#done) {
      callback();
      return;
    }
    const { pass, detached } = this.#scanner.push(chunk);
    if (pass.length > 0) this.push(pass);
    if (detached) {
      this.#done = true;
      this.#resolveDetached();
      this.push(null);
    }
    callback();
  }

  /** Input that ended partway into the sequence was ordinary input after all. */
  override _flush(callback: TransformCallback): void {
    if (!this.#done) {
      const held = this.#scanner.flush();
      if (held.length > 0) this.push(held);
    }
    callback();
  }
}
