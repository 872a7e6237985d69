import { createEngineClient } from '@berth/engine-client';
import { describeEngine } from '@berth/engine/conformance';
import { afterAll, beforeAll, describe } from 'vitest';
import { type BerthdProcess, berthdAvailable, startBerthd } from './support/berthd-process.js';

// engine-client → berthd → createMemoryEngine: the same suite as in-process, across the wire.
// berthd runs as its own process (`berthd --memory`): engine-client (layer 3) may not import
// the daemon package (layer 4).
(berthdAvailable ? describe : describe.skip)('engine-client → berthd (memory engine)', () => {
  let berthd: BerthdProcess | undefined;
  beforeAll(async () => {
    berthd = await startBerthd();
  }, 60_000);
  afterAll(async () => {
    await berthd?.stop();
  }, 30_000);

  describeEngine('engine-client → berthd', async () => createEngineClient({ host: berthd!.host }));
});
