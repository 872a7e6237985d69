import { InvalidArgumentError, isInvalidArgument, toHttpStatus } from '@berth/errdefs';
import { describe, expect, it } from 'vitest';
import {
  FILTER_KEYS,
  booleanFilter,
  encodeFilters,
  parseEndpointFilters,
  parseFilters,
  validateFilters,
} from '@berth/docker-api';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('filters codec', () => {
  it('reads the map-of-booleans form the docker CLI sends', () => {
    expect(parseFilters('{"label":{"a=b":true,"c":true},"status":{"running":true}}')).toEqual({
      label: ['a=b', 'c'],
      status: ['running'],
    });
  });

  it('reads the legacy list form (docker-py)', () => {
    expect(parseFilters('{"label":["a=b","c"],"dangling":["true"]}')).toEqual({ label: ['a=b', 'c'], dangling: ['true'] });
  });

  it('treats absent, empty and null as no filters', () => {
    expect(parseFilters(undefined)).toEqual({});
    expect(parseFilters(null)).toEqual({});
    expect(parseFilters('')).toEqual({});
    expect(parseFilters('null')).toEqual({});
    expect(parseFilters('{}')).toEqual({});
  });

  it('drops names without values and duplicate values', () => {
    expect(parseFilters('{"label":[],"name":["a","a"],"id":null}')).toEqual({ name: ['a'] });
  });

  it.each(['not json', '[]', '"x"', '{"label":"a=b"}', '{"label":[1]}', '{"label":{"a":"yes"}}'])(
    'rejects %s with "invalid filter"',
    (raw) => {
      const err = thrown(() => parseFilters(raw));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toBe('invalid filter');
    },
  );

  it('encodes in the CLI form and round-trips', () => {
    const encoded = encodeFilters({ label: ['a=b'], dangling: ['true'], empty: [] });
    expect(encoded).toBe('{"label":{"a=b":true},"dangling":{"true":true}}');
    expect(parseFilters(encoded)).toEqual({ label: ['a=b'], dangling: ['true'] });
    expect(encodeFilters({})).toBeUndefined();
  });

  it("rejects names an endpoint does not accept with docker's text and status 400", () => {
    const err = thrown(() => parseEndpointFilters('{"colour":["red"]}', 'containerList'));
    expect(isInvalidArgument(err)).toBe(true);
    expect((err as Error).message).toBe("invalid filter 'colour'");
    expect(toHttpStatus(err)).toBe(400);
    expect(() => validateFilters({ 'label!': ['a'] }, 'containerPrune')).not.toThrow();
    expect(() => validateFilters({ 'label!': ['a'] }, 'containerList')).toThrow("invalid filter 'label!'");
    expect(() => validateFilters({ a: ['1'] }, ['a', 'b'])).not.toThrow();
  });

  it('refuses a dangling filter that is not a boolean on every endpoint that has one (dockerd: 400)', () => {
    for (const endpoint of ['imageList', 'imagePrune', 'networkList', 'volumeList'] as const) {
      expect(() => parseEndpointFilters('{"dangling":["maybe"]}', endpoint), endpoint).toThrow("invalid filter 'dangling=[maybe]'");
      expect(parseEndpointFilters('{"dangling":{"false":true}}', endpoint)).toEqual({ dangling: ['false'] });
    }
  });

  it('knows the accepted names of the endpoints berthd serves', () => {
    expect(FILTER_KEYS.imageList).toContain('reference');
    expect(FILTER_KEYS.volumePrune).toContain('all');
    expect(FILTER_KEYS.events).toContain('type');
  });

  it('reads boolean filters like GetBoolOrDefault', () => {
    expect(booleanFilter({}, 'dangling', false)).toBe(false);
    expect(booleanFilter({ dangling: ['true'] }, 'dangling', false)).toBe(true);
    expect(booleanFilter({ dangling: ['1', 'true'] }, 'dangling', false)).toBe(true);
    expect(booleanFilter({ dangling: ['0'] }, 'dangling', true)).toBe(false);
    expect(() => booleanFilter({ dangling: ['maybe'] }, 'dangling', false)).toThrow("invalid filter 'dangling=[maybe]'");
    expect(() => booleanFilter({ dangling: ['true', 'false'] }, 'dangling', false)).toThrow(
      "invalid filter 'dangling=[true false]'",
    );
  });
});
