import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutate, writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import type { Engine } from '../engine.js';
import type { EngineEvent } from '../events/event-types.js';

/** What {@link describeEngine} runs against: a fresh engine per test file section, closed by `dispose`. */
export interface EngineUnderTest {
  engine: Engine;
  /** Releases the engine (close it, stop the daemon…). Objects the suite made are removed by the suite. */
  dispose?: () => Promise<void>;
}

/** Makes the engine a section of the suite runs against. */
export type EngineFactory = () => Promise<Engine | EngineUnderTest>;

/** What an engine can do, so the suite skips what it cannot test there. */
export interface EngineCapabilities {
  /** Containers run (the fake or a real runtime). Default true. */
  containers?: boolean;
}

/** A name no other test (or earlier run against a shared daemon) uses. */
export function uniqueSuiteName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/**
 * The busybox image of `@berth/image/testing` as a `docker save` archive on disk, written
 * once per tag (each with its own ID); `load(engine, tag)` loads it over the engine's own `images.load`
 * (a stream, so it works against a remote engine too) under a fresh tag.
 */
export class BusyboxArchive {
  #directory: string | undefined;
  #paths = new Map<string, string>();

  /** Loads busybox tagged `tag` into `engine`; resolves to its image ID. */
  async load(engine: Engine, tag: string): Promise<string> {
    const path = await this.#archive(tag);
    const result = await engine.images.load(createReadStream(path));
    const loaded = result.images.find((image) => image.repoTags.some((name) => name === tag || name === `${tag}:latest`));
    return loaded?.id ?? result.images[0]!.id;
  }

  /** Removes the archives. */
  async dispose(): Promise<void> {
    if (this.#directory) await rm(this.#directory, { recursive: true, force: true });
  }

  async #archive(tag: string): Promise<string> {
    let path = this.#paths.get(tag);
    if (!path) {
      this.#directory ??= await mkdtemp(join(tmpdir(), 'berth-engine-suite-'));
      path = join(this.#directory, `${this.#paths.size}.tar`);
      // A label per tag gives every loaded copy its own image ID, so sections running in
      // parallel against one daemon never remove each other's images.
      const image = mutate.config(busyboxImage(), { Labels: { 'io.berth.suite': tag } });
      await writeDockerArchive(path, [{ image, tags: [tag] }]);
      this.#paths.set(tag, path);
    }
    return path;
  }
}

/** Opens an engine from a factory result. */
export async function openEngine(factory: EngineFactory): Promise<EngineUnderTest> {
  const made = await factory();
  return 'engine' in made ? made : { engine: made, dispose: () => made.close() };
}

/**
 * Collects events from now on; `until(predicate)` resolves with everything collected up to
 * and including the first event that matches, so tests wait for events without timers.
 */
export function recordEvents(engine: Engine, filters?: Record<string, readonly string[]>) {
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  const waiters: Array<{ test: (event: EngineEvent) => boolean; resolve: (events: EngineEvent[]) => void }> = [];
  const iterator = engine.events({ ...(filters ? { filters } : {}), signal: controller.signal });
  void (async () => {
    for await (const event of iterator) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.test(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve([...events]);
        }
      }
    }
  })();
  return {
    events,
    until(test: (event: EngineEvent) => boolean): Promise<EngineEvent[]> {
      const index = events.findIndex(test);
      if (index >= 0) return Promise.resolve(events.slice(0, index + 1));
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    stop() {
      controller.abort();
    },
  };
}

/** The `code` of a rejected promise's error, for asserting docker-observable error kinds. */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}
