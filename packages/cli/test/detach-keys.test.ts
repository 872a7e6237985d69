import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { DetachKeyFilter, parseDetachKeys } from '../src/commands/detach-keys.js';

describe('parseDetachKeys', () => {
  it("reads docker's notation: ctrl-letters, ctrl-punctuation and plain characters", () => {
    expect([...parseDetachKeys('ctrl-p,ctrl-q')]).toEqual([16, 17]);
    expect([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')]).toEqual([0, 27, 28, 29, 30, 31]);
    expect([...parseDetachKeys('a,ctrl-A,z')]).toEqual([97, 1, 122]);
  });

  it('refuses what it cannot read, naming the key', () => {
    expect(() => parseDetachKeys('ctrl-1')).toThrow(/unknown character 'ctrl-1'/);
    expect(() => parseDetachKeys('ab')).toThrow(/unknown character 'ab'/);
    expect(() => parseDetachKeys('ctrl-p,')).toThrow(/invalid detach keys/);
  });
});

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
