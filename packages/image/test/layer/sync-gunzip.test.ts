import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SyncGunzip } from '../../src/layer/internal/sync-gunzip.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Inflates `input` fed in slices of `slice` bytes: the output's length and hash, or the error message. */
function inflate(input: Buffer, slice: number): string {
  const gunzip = SyncGunzip.create();
  expect(gunzip).toBeDefined();
  const out: Buffer[] = [];
  try {
    for (let at = 0; at < input.length; at += slice) out.push(...gunzip!.write(input.subarray(at, at + slice)));
    out.push(...gunzip!.finish());
    const all = Buffer.concat(out);
    return `${all.length} ${sha256(all)}`;
  } catch (err) {
    return (err as Error).message;
  } finally {
    gunzip!.close();
  }
}

function nodeGunzip(input: Buffer): string {
  try {
    const all = gunzipSync(input);
    return `${all.length} ${sha256(all)}`;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('SyncGunzip', () => {
  const text = Buffer.from('layer bytes '.repeat(200_000));
  const member = gzipSync(text);
  const second = gzipSync(Buffer.from('second member'));
  const corruptCrc = Buffer.from(member);
  corruptCrc[corruptCrc.length - 6]! ^= 0xff;

  it.each([
    ['one member', member],
    ['two members', Buffer.concat([member, second])],
    ['trailing zeros', Buffer.concat([member, Buffer.alloc(1024)])],
    ['a truncated member', member.subarray(0, member.length - 10)],
    ['a wrong checksum', corruptCrc],
    ['garbage after the member', Buffer.concat([member, Buffer.from('not gzip at all')])],
  ])('inflates %s as zlib.gunzipSync does, whatever the slicing', (_, input) => {
    const expected = nodeGunzip(input);
    for (const slice of [7, 4096, 1 << 20]) expect(inflate(input, slice)).toBe(expected);
  });

  it('hands out output buffers it never writes again', () => {
    const gunzip = SyncGunzip.create()!;
    const pieces = [...gunzip.write(member), ...gunzip.finish()];
    gunzip.close();
    const hashes = pieces.map(sha256);
    expect(Buffer.concat(pieces).equals(text)).toBe(true);
    expect(pieces.map(sha256)).toEqual(hashes);
  });
});
