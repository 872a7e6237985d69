import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  errorCode,
  findBerthError,
  isBerthError,
  isConflict,
  isNotFound,
  toHttpStatus,
} from '@berth/errdefs';

describe('errdefs', () => {
  it('carries code, message, cause and details', () => {
    const cause = new Error('ENOENT');
    const err = new NotFoundError('No such image: busybox', { cause, details: { ref: 'busybox' } });
    expect(err.code).toBe('NotFound');
    expect(err.message).toBe('No such image: busybox');
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ ref: 'busybox' });
    expect(err.name).toBe('NotFoundError');
    expect(err).toBeInstanceOf(Error);
  });

  it('recognises errors by code, also from a duplicate package copy', () => {
    // An error built by another copy of errdefs: same shape, different class identity.
    class ForeignNotFound extends Error {
      readonly code = 'NotFound';
      readonly berthError = true;
    }
    const foreign = new ForeignNotFound('gone');
    expect(foreign instanceof NotFoundError).toBe(false);
    expect(isNotFound(foreign)).toBe(true);
    expect(isBerthError(foreign)).toBe(true);
    expect(toHttpStatus(foreign)).toBe(404);
  });

  it('does not mistake node system errors for Berth errors', () => {
    const sys = Object.assign(new Error('x'), { code: 'ENOENT' });
    expect(isBerthError(sys)).toBe(false);
    expect(isNotFound(sys)).toBe(false);
    // Even a string that happens to equal a taxonomy code needs the marker.
    const lookalike = Object.assign(new Error('x'), { code: 'NotFound' });
    expect(isNotFound(lookalike)).toBe(false);
    expect(errorCode(sys)).toBeUndefined();
  });

  it('maps every code to its HTTP status in one place', () => {
    expect(toHttpStatus(new NotFoundError('x'))).toBe(404);
    expect(toHttpStatus(new InvalidArgumentError('x'))).toBe(400);
    expect(toHttpStatus(new ConflictError('x'))).toBe(409);
    expect(toHttpStatus(new UnavailableError('x'))).toBe(503);
    expect(toHttpStatus(new InternalError('x'))).toBe(500);
    expect(toHttpStatus(new Error('plain'))).toBe(500);
    expect(toHttpStatus('not even an error')).toBe(500);
  });

  it('finds a Berth error down a cause chain', () => {
    const inner = new ConflictError('name in use');
    const outer = new Error('wrapped', { cause: new Error('middle', { cause: inner }) });
    expect(findBerthError(outer)).toBe(inner);
    expect(isConflict(findBerthError(outer))).toBe(true);
    expect(findBerthError(new Error('none'))).toBeUndefined();
  });

  it('survives a cyclic cause chain', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(findBerthError(a)).toBeUndefined();
  });
});
