import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { parseDetachKeys } from '@berth/docker-api';
import { DetachKeyFilter } from '../src/commands/detach-keys.js';

/** What the filter lets through of `chunks`, and whether it saw the sequence. */
async function filtered(keys: string, chunks: string[]): Promise<{ passed: string; detached: boolean }> {
  const filter = new DetachKeyFilter(parseDetachKeys(keys));
  let detached = false;
  void filter.detached.then(() => (detached = true));
  const passed = buffer(Readable.from(chunks.map((chunk) => Buffer.from(chunk, 'latin1'))).pipe(filter));
  return { passed: (await passed).toString('latin1'), detached };
}

describe('DetachKeyFilter', () => {
  it('passes input through and ends at the sequence, dropping it and what follows', async () => {
    expect(await filtered('ctrl-p,ctrl-q', ['echo hi\n', '\x10\x11', 'after'])).toEqual({ passed: 'echo hi\n', detached: true });
  });

  it('finds a sequence split across chunks', async () => {
    expect(await filtered('ctrl-p,ctrl-q', ['ab\x10', '\x11cd'])).toEqual({ passed: 'ab', detached: true });
  });

  it('lets a broken sequence through, and a repeated first key starts it anew', async () => {
    expect(await filtered('ctrl-p,ctrl-q', ['\x10x', '\x10\x10\x11'])).toEqual({ passed: '\x10x\x10', detached: true });
  });

  it('ends without detaching when the input ends first, keeping a held-back key', async () => {
    expect(await filtered('ctrl-p,ctrl-q', ['plain', '\x10'])).toEqual({ passed: 'plain\x10', detached: false });
  });

  it('detaches on a one-key sequence', async () => {
    expect(await filtered('x', ['abxcd'])).toEqual({ passed: 'ab', detached: true });
  });
});
