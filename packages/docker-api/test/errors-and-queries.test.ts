import { ConflictError, InternalError, InvalidArgumentError, NotFoundError, UnauthorizedError } from '@berth/errdefs';
import { describe, expect, it } from 'vitest';
import {
  ErrorResponseSchema,
  encodeCommitParams,
  errorBody,
  parseCommitParams,
  queryBoolean,
  queryBooleanOrDefault,
  queryInteger,
} from '@berth/docker-api';

describe('errorBody', () => {
  it.each([
    [new NotFoundError('No such container: web'), 404],
    [new InvalidArgumentError('invalid filter \'x\''), 400],
    [new ConflictError('container is running'), 409],
    [new UnauthorizedError('authentication required'), 401],
    [new InternalError('disk on fire'), 500],
  ])('answers %s with its taxonomy status and {message}', (err, status) => {
    const reply = errorBody(err);
    expect(reply).toEqual({ status, body: { message: err.message } });
    expect(ErrorResponseSchema.parse(reply.body)).toEqual({ message: err.message });
  });

  it('answers foreign errors and thrown values with 500', () => {
    expect(errorBody(new Error('boom'))).toEqual({ status: 500, body: { message: 'boom' } });
    expect(errorBody('plain')).toEqual({ status: 500, body: { message: 'plain' } });
  });
});

describe('query values', () => {
  it("reads booleans like dockerd's BoolValue", () => {
    for (const value of ['1', 'true', 'True', 'yes', 'anything']) expect(queryBoolean(value)).toBe(true);
    for (const value of [null, undefined, '', '0', 'no', 'FALSE', ' none ']) expect(queryBoolean(value)).toBe(false);
    expect(queryBooleanOrDefault(null, true)).toBe(true);
    expect(queryBooleanOrDefault('0', true)).toBe(false);
  });

  it('reads integers strictly', () => {
    expect(queryInteger('t', '10')).toBe(10);
    expect(queryInteger('t', '-1')).toBe(-1);
    expect(queryInteger('t', null, 5)).toBe(5);
    expect(queryInteger('t', '')).toBeUndefined();
    expect(() => queryInteger('t', '1.5')).toThrow('invalid value for t');
    expect(() => queryInteger('tail', 'all')).toThrow(InvalidArgumentError);
  });

  it('refuses integers out of range instead of rounding them (a huge stop timeout is not 1 ms)', () => {
    expect(queryInteger('t', String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => queryInteger('t', '99999999999999999999999')).toThrow('invalid value for t: strconv.ParseInt: parsing "99999999999999999999999": value out of range');
    expect(() => queryInteger('since', '-99999999999999999999999')).toThrow(InvalidArgumentError);
  });
});

describe('commit params', () => {
  it('reads them as dockerd does: pause defaults to true, changes repeat', () => {
    const params = parseCommitParams(new URLSearchParams('container=web&repo=me/app&tag=v1&changes=CMD%20%5B%22sh%22%5D&changes=ENV%20A%3Db'));
    expect(params).toEqual({ container: 'web', repo: 'me/app', tag: 'v1', comment: '', author: '', pause: true, changes: ['CMD ["sh"]', 'ENV A=b'] });
    expect(parseCommitParams(new URLSearchParams('container=web&pause=0')).pause).toBe(false);
  });

  it('round-trips through the encoder', () => {
    const params = { container: 'web', repo: 'r', tag: 't', comment: 'c', author: 'a', pause: false, changes: ['USER nobody'] };
    expect(parseCommitParams(encodeCommitParams(params))).toEqual(params);
    expect(encodeCommitParams({ container: 'x' }).toString()).toBe('container=x');
  });
});
