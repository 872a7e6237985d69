/** Gives back a held lock; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
}

interface Slot {
  waiters: Waiter[];
}

/**
 * In-process exclusive locks named by a string key, granted in request order. Content
 * stores hold one per ingest ref so that two writers never append to the same partial
 * blob. A key with no holder and no waiter takes no memory.
 */
export class KeyedMutex {
  readonly #slots = new Map<string, Slot>();

  /** Waits until `key` is free, then holds it. `signal` abandons the wait (rejects with its reason). */
  acquire(key: string, signal?: AbortSignal): Promise<Release> {
    signal?.throwIfAborted();
    const slot = this.#slots.get(key);
    if (!slot) {
      this.#slots.set(key, { waiters: [] });
      return Promise.resolve(this.#releaser(key));
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const index = slot.waiters.indexOf(waiter);
        if (index >= 0) slot.waiters.splice(index, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      slot.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Holds `key` if nobody does; `undefined` when it is taken. */
  tryAcquire(key: string): Release | undefined {
    if (this.#slots.has(key)) return undefined;
    this.#slots.set(key, { waiters: [] });
    return this.#releaser(key);
  }

  #releaser(key: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const slot = this.#slots.get(key)!;
      const next = slot.waiters.shift();
      if (next) next.grant(this.#releaser(key));
      else this.#slots.delete(key);
    };
  }
}
