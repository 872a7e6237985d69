import { describe, expect, it } from 'vitest';
import { parseDetachKeys } from '@berth/docker-api';

describe('parseDetachKeys', () => {
  it("reads docker's notation: ctrl-letters, ctrl-punctuation and plain characters", () => {
    expect([...parseDetachKeys('ctrl-p,ctrl-q')]).toEqual([16, 17]);
    expect([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')]).toEqual([0, 27, 28, 29, 30, 31]);
    expect([...parseDetachKeys('a,ctrl-A,z')]).toEqual([97, 1, 122]);
  });

  it('refuses what it cannot read, naming the key', () => {
    expect(() => parseDetachKeys('ctrl-1')).toThrow(/unknown character 'ctrl-1'/);
    expect(() => parseDetachKeys('ab')).toThrow(/unknown character 'ab'/);
    expect(() => parseDetachKeys('ctrl-p,')).toThrow(/Invalid escape keys \(ctrl-p,\) provided/);
  });
});
