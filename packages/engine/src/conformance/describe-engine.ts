import { describe } from 'vitest';
import type { EngineCapabilities, EngineFactory } from './engine-fixture.js';
import { describeContainers } from './containers-suite.js';
import { describeEvents } from './events-suite.js';
import { describeImages } from './images-suite.js';
import { describeNetworks } from './networks-suite.js';
import { describeSystem } from './system-suite.js';
import { describeVolumes } from './volumes-suite.js';

/**
 * The Engine conformance suite: docker-observable behaviour (names, states, exit codes,
 * conflicts, error codes, event order) that every `Engine` shows — the memory engine, the
 * Linux engine, and `engine-client` against berthd or a real dockerd. Call it from a
 * vitest file; `factory` is called once per section (images, volumes, networks, events,
 * system, containers) and each section disposes its engine. Images come from
 * `images.load` of a busybox archive built on the spot, so no registry is needed; every
 * object the suite makes has a unique name and is removed by the test that made it.
 *
 * ```ts
 * describeEngine('memory engine', () => createMemoryEngine());
 * ```
 */
export function describeEngine(name: string, factory: EngineFactory, capabilities: EngineCapabilities = {}): void {
  describe(`Engine conformance: ${name}`, () => {
    describeImages(factory);
    describeVolumes(factory);
    describeNetworks(factory);
    describeEvents(factory);
    describeSystem(factory);
    if (capabilities.containers ?? true) describeContainers(factory);
  });
}
