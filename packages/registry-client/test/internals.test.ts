import { describe, expect, it } from 'vitest';
import { nextPageLink } from '../src/client/pagination.js';
import { RegistryError, isLoopbackRegistry, registryErrorOf, toBerthError } from '../src/index.js';
import { parseRetryAfter } from '../src/http/retry.js';
import { EventChannel } from '../src/internal/event-channel.js';

describe('EventChannel', () => {
  it('coalesces pending events with the same key and keeps the others in order', async () => {
    const channel = new EventChannel<string>();
    channel.push('start');
    channel.push('bytes 1', 'bytes');
    channel.push('bytes 2', 'bytes');
    channel.push('verify');
    channel.push('bytes 3', 'bytes');
    channel.close();
    const seen: string[] = [];
    for await (const event of channel) seen.push(event);
    expect(seen).toEqual(['start', 'bytes 3', 'verify']);
  });

  it('ends the iteration with the failure after the pending events', async () => {
    const channel = new EventChannel<number>();
    channel.push(1);
    channel.fail(new Error('boom'));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const event of channel) seen.push(event);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1]);
  });
});

describe('small parsers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('finds the next page in a Link header', () => {
    expect(nextPageLink('</v2/app/tags/list?last=b&n=2>; rel="next"')).toBe('/v2/app/tags/list?last=b&n=2');
    expect(nextPageLink('<https://x/a>; rel="prev", <https://x/b>; rel="next"')).toBe('https://x/b');
    expect(nextPageLink(undefined)).toBeUndefined();
  });

  it('treats loopback registries as insecure, as docker does', () => {
    expect(isLoopbackRegistry('localhost:5000')).toBe(true);
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackRegistry('[::1]:5000')).toBe(true);
    expect(isLoopbackRegistry('registry.example.com')).toBe(false);
  });
});

describe('toBerthError', () => {
  const make = (status: number | undefined, code?: string) =>
    toBerthError(new RegistryError({ registry: 'r.example', repository: 'app', reference: 'v1', status, errors: code ? [{ code, message: 'm' }] : [] }));

  it('maps distribution codes before statuses', () => {
    expect(make(401, 'UNAUTHORIZED').code).toBe('Unauthorized');
    expect(make(403, 'DENIED').code).toBe('PermissionDenied');
    expect(make(401, 'DENIED').code).toBe('Unauthorized');
    expect(make(404, 'NAME_UNKNOWN').code).toBe('NotFound');
    expect(make(400, 'MANIFEST_BLOB_UNKNOWN').code).toBe('NotFound');
    expect(make(400, 'DIGEST_INVALID').code).toBe('InvalidArgument');
    expect(make(405, 'UNSUPPORTED').code).toBe('NotImplemented');
    expect(make(429, 'TOOMANYREQUESTS').code).toBe('Unavailable');
    expect(make(502).code).toBe('Unavailable');
    expect(make(undefined).code).toBe('Unavailable');
    expect(make(418).code).toBe('Internal');
  });

  it('keeps the registry error as cause, with its facts in details', () => {
    const err = make(404, 'MANIFEST_UNKNOWN');
    expect(registryErrorOf(err)?.status).toBe(404);
    expect(err.details).toMatchObject({ registry: 'r.example', repository: 'app', reference: 'v1', errors: ['MANIFEST_UNKNOWN'], temporary: false });
    expect(err.message).toBe('registry r.example, repository app, reference v1: request failed: MANIFEST_UNKNOWN: m (HTTP 404)');
    expect(registryErrorOf(make(503))?.temporary).toBe(true);
  });
});
