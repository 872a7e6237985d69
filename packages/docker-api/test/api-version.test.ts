import { isInvalidArgument, toHttpStatus } from '@berth/errdefs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_API_VERSION,
  MAX_API_VERSION,
  MIN_API_VERSION,
  PingHeaders,
  apiVersionAtLeast,
  apiVersionGreaterThan,
  apiVersionLessThan,
  checkApiVersion,
  compareApiVersions,
  negotiateApiVersion,
  parseApiVersion,
  parsePingHeaders,
  pingResponseHeaders,
} from '@berth/docker-api';

describe('API version rules', () => {
  it('serves 1.24 through 1.47, defaulting to 1.47', () => {
    expect([MIN_API_VERSION, MAX_API_VERSION, DEFAULT_API_VERSION]).toEqual(['1.24', '1.47', '1.47']);
  });

  it('splits the /vX.Y prefix off a path', () => {
    expect(parseApiVersion('/v1.43/containers/json')).toEqual({ version: '1.43', path: '/containers/json' });
    expect(parseApiVersion('/v1.47/_ping')).toEqual({ version: '1.47', path: '/_ping' });
    expect(parseApiVersion('/v1.41')).toEqual({ version: '1.41', path: '/' });
    expect(parseApiVersion('/containers/json')).toEqual({ version: undefined, path: '/containers/json' });
    expect(parseApiVersion('/volumes/v1.2')).toEqual({ version: undefined, path: '/volumes/v1.2' });
    expect(parseApiVersion('/vx/containers/json')).toEqual({ version: undefined, path: '/vx/containers/json' });
    expect(parseApiVersion('/v1.43containers')).toEqual({ version: undefined, path: '/v1.43containers' });
  });

  it("rejects versions out of range with dockerd's exact texts, as 400", () => {
    expect(() => checkApiVersion('1.50')).toThrow('client version 1.50 is too new. Maximum supported API version is 1.47');
    expect(() => checkApiVersion('1.12')).toThrow(
      'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
    );
    try {
      checkApiVersion('2');
      expect.unreachable();
    } catch (err) {
      expect(isInvalidArgument(err)).toBe(true);
      expect(toHttpStatus(err)).toBe(400);
    }
  });

  it('accepts versions in range and defaults a missing one', () => {
    expect(checkApiVersion('1.24')).toBe('1.24');
    expect(checkApiVersion('1.47')).toBe('1.47');
    expect(checkApiVersion(undefined)).toBe('1.47');
    expect(checkApiVersion('')).toBe('1.47');
  });

  it('compares versions numerically part by part, like docker', () => {
    expect(compareApiVersions('1.9', '1.10')).toBe(-1);
    expect(compareApiVersions('1.47', '1.47.0')).toBe(0);
    expect(compareApiVersions('2', '1.47')).toBe(1);
    expect(compareApiVersions('1.x', '1.0')).toBe(0);
    expect(apiVersionLessThan('1.41', '1.44')).toBe(true);
    expect(apiVersionGreaterThan('1.44', '1.41')).toBe(true);
    expect(apiVersionAtLeast('1.44', '1.44')).toBe(true);
    expect(apiVersionAtLeast('1.43', '1.44')).toBe(false);
  });

  it('negotiates down to the server, and assumes 1.24 when it says nothing', () => {
    expect(negotiateApiVersion('1.43')).toBe('1.43');
    expect(negotiateApiVersion('1.48')).toBe('1.47');
    expect(negotiateApiVersion(undefined)).toBe('1.24');
    expect(negotiateApiVersion('1.45', '1.44')).toBe('1.44');
  });
});

describe('ping headers', () => {
  it('names the headers as dockerd sends them', () => {
    expect(Object.values(PingHeaders)).toEqual(['Api-Version', 'Ostype', 'Builder-Version', 'Docker-Experimental', 'Swarm']);
  });

  it('builds and reads them back', () => {
    const headers = pingResponseHeaders({ apiVersion: '1.47', osType: 'linux', builderVersion: '1', experimental: false, swarm: 'inactive' });
    expect(headers).toMatchObject({ 'Api-Version': '1.47', Ostype: 'linux', 'Builder-Version': '1', 'Docker-Experimental': 'false', Swarm: 'inactive' });
    expect(headers['Cache-Control']).toBe('no-cache, no-store, must-revalidate');
    const lowerCased = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
    expect(parsePingHeaders(lowerCased)).toEqual({ apiVersion: '1.47', osType: 'linux', builderVersion: '1', experimental: false, swarm: 'inactive' });
    expect(parsePingHeaders(new Headers(headers))).toEqual({ apiVersion: '1.47', osType: 'linux', builderVersion: '1', experimental: false, swarm: 'inactive' });
    expect(parsePingHeaders({})).toEqual({});
  });
});
