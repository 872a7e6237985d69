import { isInvalidArgument } from '@berth/errdefs';
import { describe, expect, it } from 'vitest';
import {
  CONTAINER_PATH_STAT_HEADER,
  GoFileModeBits,
  REGISTRY_AUTH_HEADER,
  REGISTRY_CONFIG_HEADER,
  decodeContainerPathStat,
  decodeRegistryAuth,
  decodeRegistryConfig,
  encodeContainerPathStat,
  encodeRegistryAuth,
  encodeRegistryConfig,
} from '@berth/docker-api';

describe('X-Registry-Auth', () => {
  const credentials = { username: 'jane', password: 'p>?ss~', serveraddress: 'localhost:5000' };

  it('encodes URL-safe base64 JSON with padding and without empty fields', () => {
    const header = encodeRegistryAuth({ ...credentials, email: '', identitytoken: undefined });
    expect(REGISTRY_AUTH_HEADER).toBe('X-Registry-Auth');
    expect(header).toMatch(/^[A-Za-z0-9\-_]+=*$/);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual(credentials);
    expect(decodeRegistryAuth(header)).toEqual(credentials);
  });

  it('decodes standard base64 and unpadded headers too', () => {
    const json = JSON.stringify({ username: 'a', password: '>>>???', auth: 'YTpi', identitytoken: 'tok', registrytoken: 'r' });
    const standard = Buffer.from(json).toString('base64');
    expect(standard).toMatch(/[+/]/);
    expect(decodeRegistryAuth(standard)).toMatchObject({ username: 'a', password: '>>>???', identitytoken: 'tok' });
    expect(decodeRegistryAuth(Buffer.from(json).toString('base64url'))).toMatchObject({ auth: 'YTpi', registrytoken: 'r' });
  });

  it('treats an absent or empty header as no credentials, and {} / null as empty', () => {
    expect(decodeRegistryAuth(undefined)).toEqual({});
    expect(decodeRegistryAuth('')).toEqual({});
    expect(decodeRegistryAuth('e30=')).toEqual({});
    expect(decodeRegistryAuth(Buffer.from('null').toString('base64'))).toEqual({});
  });

  it('rejects a header that is not base64 JSON of credentials with 400', () => {
    expect(() => decodeRegistryAuth('not base64!')).toThrow('invalid X-Registry-Auth header');
    expect(() => decodeRegistryAuth(Buffer.from('{oops').toString('base64'))).toThrow('invalid X-Registry-Auth header');
    try {
      decodeRegistryAuth(Buffer.from('{"username":42}').toString('base64'));
      expect.unreachable();
    } catch (err) {
      expect(isInvalidArgument(err)).toBe(true);
    }
  });
});

describe('X-Registry-Config', () => {
  it('round-trips credentials per registry', () => {
    const configs = { 'localhost:5000': { username: 'a', password: 'b' }, 'https://index.docker.io/v1/': { auth: 'eDp5' } };
    expect(REGISTRY_CONFIG_HEADER).toBe('X-Registry-Config');
    expect(decodeRegistryConfig(encodeRegistryConfig(configs))).toEqual(configs);
  });

  it('ignores an invalid header, as dockerd does for builds', () => {
    expect(decodeRegistryConfig('%%%')).toEqual({});
    expect(decodeRegistryConfig(Buffer.from('[1]').toString('base64'))).toEqual({});
    expect(decodeRegistryConfig(undefined)).toEqual({});
  });
});

describe('X-Docker-Container-Path-Stat', () => {
  const stat = { name: 'etc', size: 4096, mode: GoFileModeBits.directory + 0o755, mtime: '2026-11-27T20:00:00.123456789Z', linkTarget: '' };

  it('round-trips standard base64 JSON', () => {
    const header = encodeContainerPathStat(stat);
    expect(CONTAINER_PATH_STAT_HEADER).toBe('X-Docker-Container-Path-Stat');
    expect(JSON.parse(Buffer.from(header, 'base64').toString())).toEqual(stat);
    expect(decodeContainerPathStat(header)).toEqual(stat);
  });

  it('decodes what dockerd sends', () => {
    // From dockerd for `/bin/sh` in busybox: a symlink, Go mode bits 1<<27 | 0777.
    const header = Buffer.from('{"name":"sh","size":7,"mode":134218239,"mtime":"2024-09-26T21:31:42Z","linkTarget":"/bin/busybox"}').toString('base64');
    const decoded = decodeContainerPathStat(header);
    expect(decoded.mode & GoFileModeBits.symlink).toBeTruthy();
    expect(decoded.mode & 0o777).toBe(0o777);
  });

  it('rejects missing and malformed headers', () => {
    expect(() => decodeContainerPathStat(undefined)).toThrow('missing X-Docker-Container-Path-Stat header');
    expect(() => decodeContainerPathStat('e30=')).toThrow('invalid X-Docker-Container-Path-Stat header');
    expect(() => decodeContainerPathStat('!!!')).toThrow('invalid X-Docker-Container-Path-Stat header');
  });
});
