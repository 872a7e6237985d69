/**
 * A single-consumer async queue of events between a running operation and whoever
 * iterates its progress. Events that carry a `coalesceKey` replace a pending (not yet
 * consumed) event with the same key, so a consumer that lags — or never iterates — holds
 * at most one byte-count event per layer instead of one per chunk. `close()` ends the
 * iteration after the pending events; `fail(err)` ends it with `err`.
 */
export class EventChannel<T> implements AsyncIterable<T> {
  private readonly pending: Array<{ event: T; key: string | undefined }> = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  private failure: { error: unknown } | undefined;
  private iterating = false;

  /** Queues an event; with `coalesceKey`, replaces a pending event of the same key. */
  push(event: T, coalesceKey?: string): void {
    if (this.closed) return;
    if (coalesceKey !== undefined) {
      const existing = this.pending.find((p) => p.key === coalesceKey);
      if (existing) {
        existing.event = event;
        return;
      }
    }
    this.pending.push({ event, key: coalesceKey });
    this.wake();
  }

  /** Ends the stream of events after those pending. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Ends the stream of events with `error` after those pending. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterating) throw new TypeError('progress can be iterated only once');
    this.iterating = true;
    for (;;) {
      const next = this.pending.shift();
      if (next) {
        yield next.event;
        continue;
      }
      if (this.closed) {
        if (this.failure) throw this.failure.error;
        return;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}
