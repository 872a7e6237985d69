import { describe, expect, it } from 'vitest';
import { DetachKeyScanner, parseDetachKeys } from '@berth/docker-api';
import { queryTime } from '../src/http/query.js';
import { Router } from '../src/http/router.js';

describe('router', () => {
  const noop = async () => undefined;
  const router = new Router().add('GET', '/images/json', noop).add('GET', '/images/{name*}/json', noop).add('GET', '/containers/{id}/json', noop);

  it('matches specific routes first and greedy names with slashes', () => {
    expect(router.match('GET', '/images/json')?.params).toEqual({});
    expect(router.match('GET', '/images/localhost:5000/a/b:1/json')?.params).toEqual({ name: 'localhost:5000/a/b:1' });
    expect(router.match('GET', '/containers/abc/json')?.params).toEqual({ id: 'abc' });
    expect(router.match('GET', '/containers/a/b/json')).toBeUndefined();
    expect(router.match('POST', '/images/json')).toBeUndefined();
  });

  it('falls back from HEAD to GET and decodes parameters', () => {
    expect(router.match('HEAD', '/containers/a%20b/json')?.params).toEqual({ id: 'a b' });
  });
});

describe('detach keys', () => {
  it('parses docker\'s key specs', () => {
    expect([...parseDetachKeys('ctrl-p,ctrl-q')]).toEqual([16, 17]);
    expect([...parseDetachKeys('a,ctrl-@')]).toEqual([97, 0]);
    expect(() => parseDetachKeys('ctrl-1')).toThrow('Invalid escape keys (ctrl-1) provided');
  });

  it('passes bytes through, holds a partial sequence, and detaches on the whole one across chunks', () => {
    const scanner = new DetachKeyScanner(parseDetachKeys('ctrl-p,ctrl-q'));
    expect(scanner.push(Buffer.from('ab'))).toEqual({ pass: Buffer.from('ab'), detached: false });
    expect(scanner.push(Buffer.from([0x10]))).toEqual({ pass: Buffer.alloc(0), detached: false });
    expect(scanner.push(Buffer.from('x'))).toEqual({ pass: Buffer.from([0x10, 0x78]), detached: false });
    expect(scanner.push(Buffer.from([0x61, 0x10]))).toEqual({ pass: Buffer.from('a'), detached: false });
    expect(scanner.push(Buffer.from([0x11, 0x62]))).toEqual({ pass: Buffer.alloc(0), detached: true });
  });
});

describe('time parameters', () => {
  it('reads Unix seconds with fractions, RFC 3339 and durations', () => {
    expect(queryTime('since', '1700000000.5')?.getTime()).toBe(1_700_000_000_500);
    expect(queryTime('since', '2024-01-02T03:04:05Z')?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    const ago = queryTime('since', '1m30s')!.getTime();
    expect(Date.now() - ago).toBeGreaterThanOrEqual(90_000);
    expect(queryTime('since', '')).toBeUndefined();
    expect(() => queryTime('since', 'yesterday')).toThrow(/invalid value for since/);
  });
});
