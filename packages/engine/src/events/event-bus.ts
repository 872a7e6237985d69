import { EventEmitter } from 'eventemitter3';
import { checkEventFilters, matchesEventFilters } from './event-filters.js';
import type { EngineEvent, EngineEventInput, EventsOptions } from './event-types.js';

/** Options of {@link EventBus}. */
export interface EventBusOptions {
  /** How many past events are kept for replay (`since`); default 1024, as dockerd's. */
  capacity?: number;
  /** The clock events are stamped with (tests pass a fixed one). */
  now?: () => Date;
}

/**
 * The engine's one place of emission: every component reports changes through
 * {@link EventBus.emit}, which stamps them (time, order), keeps the last `capacity` in a
 * ring buffer and hands them to live subscribers synchronously, so subscribers see events
 * in emission order. Lifecycle: created with the engine; `close()` ends every iteration.
 */
export class EventBus {
  readonly #emitter = new EventEmitter<{ event: [EngineEvent]; close: [] }>();
  readonly #ring: EngineEvent[] = [];
  readonly #capacity: number;
  readonly #now: () => Date;
  #seq = 0;
  #closed = false;

  constructor(options: EventBusOptions = {}) {
    this.#capacity = Math.max(1, options.capacity ?? 1024);
    this.#now = options.now ?? (() => new Date());
  }

  /** Stamps and publishes an event; returns it as subscribers see it. Ignored after close. */
  emit(input: EngineEventInput): EngineEvent {
    this.#seq += 1;
    const event = { ...input, scope: 'local', time: this.#now(), seq: this.#seq } as EngineEvent;
    if (this.#closed) return event;
    this.#ring.push(event);
    if (this.#ring.length > this.#capacity) this.#ring.shift();
    this.#emitter.emit('event', event);
    return event;
  }

  /** The buffered events, oldest first. */
  past(): EngineEvent[] {
    return [...this.#ring];
  }

  /** Ends every open iteration. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#emitter.emit('close');
    this.#emitter.removeAllListeners();
  }

  /**
   * Events as an async iterator: first the buffered ones at or after `since` (when given),
   * then live ones, filtered; ends at `until`, on `signal`, or when the bus closes. Live
   * events are queued from the moment of the call, so none is lost between replay and
   * subscription and none is yielded twice.
   */
  subscribe(options: EventsOptions = {}): AsyncIterableIterator<EngineEvent> {
    const filters = options.filters ?? {};
    checkEventFilters(filters);
    const { since, until, signal } = options;
    const queue: EngineEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = this.#closed || signal?.aborted === true;
    let timer: NodeJS.Timeout | undefined;
    const accept = (event: EngineEvent) => matchesEventFilters(event, filters) && (until === undefined || event.time <= until);

    const replay = since === undefined ? [] : this.#ring.filter((event) => event.time >= since && accept(event));
    const lastReplayed = this.#seq;
    const onEvent = (event: EngineEvent) => {
      if (event.seq > lastReplayed && accept(event)) {
        queue.push(event);
        wake?.();
      }
    };
    const finish = () => {
      ended = true;
      wake?.();
    };
    const cleanup = () => {
      this.#emitter.off('event', onEvent);
      this.#emitter.off('close', finish);
      signal?.removeEventListener('abort', finish);
      if (timer) clearTimeout(timer);
    };
    queue.push(...replay);
    if (until !== undefined && until.getTime() <= this.#now().getTime()) {
      ended = true;
    } else if (!ended) {
      this.#emitter.on('event', onEvent);
      this.#emitter.on('close', finish);
      signal?.addEventListener('abort', finish, { once: true });
      if (until !== undefined) timer = setTimeout(finish, until.getTime() - this.#now().getTime());
    }

    const iterator: AsyncIterableIterator<EngineEvent> = {
      [Symbol.asyncIterator]() {
        return iterator;
      },
      async next() {
        for (;;) {
          const event = queue.shift();
          if (event) return { value: event, done: false };
          if (ended || signal?.aborted) {
            cleanup();
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      },
      async return() {
        ended = true;
        queue.length = 0;
        cleanup();
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }
}
