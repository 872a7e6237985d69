import { createEngineClient } from '@berth/engine-client';
import { describeEngine } from '@berth/engine/conformance';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { type BerthdProcess, berthdAvailable, startBerthd } from './support/berthd-process.js';

// engine-client → berthd → createMemoryEngine: the same suite as in-process, across the wire.
// berthd runs as its own process (`berthd --memory`): engine-client (layer 3) may not import
// the daemon package (layer 4).
/** berthd gaps found by this run (reported to the daemon's owner); skipped here until fixed. */
const berthdGaps = new Map<string, string>([
  // `POST /images/create?fromSrc=-&changes=CMD …` answers 501 "import --change is not supported yet".
  ['imports a rootfs tar as a one-layer image with the given runtime defaults', 'berthd: import changes not implemented'],
]);

(berthdAvailable ? describe : describe.skip)('engine-client → berthd (memory engine)', () => {
  let berthd: BerthdProcess | undefined;
  beforeAll(async () => {
    berthd = await startBerthd();
  }, 60_000);
  afterAll(async () => {
    await berthd?.stop();
  }, 30_000);
  beforeEach((context) => {
    if (berthdGaps.has(context.task.name)) context.skip();
  });

  describeEngine('engine-client → berthd', async () => createEngineClient({ host: berthd!.host }));
});
