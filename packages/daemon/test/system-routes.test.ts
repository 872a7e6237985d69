import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePingHeaders } from '@berth/docker-api';
import { type ServedEngine, call, startDaemon } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

describe('ping', () => {
  it('answers GET /_ping with OK and docker\'s headers', async () => {
    const answer = await call(d.socketPath, 'GET', '/_ping');
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('OK');
    expect(parsePingHeaders(answer.headers)).toEqual({ apiVersion: '1.47', osType: 'linux', builderVersion: '1', experimental: false, swarm: 'inactive' });
    expect(answer.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
    expect(answer.headers['pragma']).toBe('no-cache');
  });

  it('answers HEAD /_ping with the headers and no body, versioned too', async () => {
    const answer = await call(d.socketPath, 'HEAD', '/v1.40/_ping');
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBe(0);
    expect(answer.headers['api-version']).toBe('1.47');
  });
});

describe('API versions', () => {
  it('serves every version from 1.24 to 1.47 and unversioned paths', async () => {
    for (const prefix of ['/v1.24', '/v1.40', '/v1.47', '']) {
      const answer = await call(d.socketPath, 'GET', `${prefix}/version`);
      expect(answer.status, prefix).toBe(200);
    }
  });

  it('refuses too old and too new versions with dockerd\'s texts', async () => {
    const old = await call(d.socketPath, 'GET', '/v1.12/version');
    expect(old.status).toBe(400);
    expect(old.json()).toEqual({
      message: 'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
    });
    const recent = await call(d.socketPath, 'GET', '/v1.99/containers/json');
    expect(recent.status).toBe(400);
    expect(recent.json().message).toBe('client version 1.99 is too new. Maximum supported API version is 1.47');
  });

  it('answers unknown routes with 404 page not found', async () => {
    const answer = await call(d.socketPath, 'GET', '/v1.47/nothing/here');
    expect(answer.status).toBe(404);
    expect(answer.json()).toEqual({ message: 'page not found' });
  });
});

describe('system', () => {
  it('reports the version', async () => {
    const v = (await call(d.socketPath, 'GET', '/version')).json();
    expect(v.ApiVersion).toBe('1.47');
    expect(v.MinAPIVersion).toBe('1.24');
    expect(v.Os).toBe('linux');
    expect(v.Components.length).toBeGreaterThan(0);
  });

  it('reports info with the swarm inactive', async () => {
    const info = (await call(d.socketPath, 'GET', '/info')).json();
    expect(info.Images).toBe(1);
    expect(info.OSType).toBe('linux');
    expect(info.Swarm.LocalNodeState).toBe('inactive');
  });

  it('reports disk usage', async () => {
    const df = (await call(d.socketPath, 'GET', '/system/df')).json();
    expect(df.Images).toHaveLength(1);
    expect(df.BuildCache).toEqual([]);
  });

  it('accepts a login', async () => {
    const answer = await call(d.socketPath, 'POST', '/auth', { username: 'u', password: 'p', serveraddress: 'localhost:5000' });
    expect(answer.status).toBe(200);
    expect(answer.json().Status).toBe('Login Succeeded');
  });

  it('answers builds with 501 and a clear message', async () => {
    const answer = await call(d.socketPath, 'POST', '/v1.47/build', 'not a tar');
    expect(answer.status).toBe(501);
    expect(answer.json().message).toContain('builds are not supported yet');
  });

  it('prunes the (absent) build cache successfully, as docker system prune needs', async () => {
    const answer = await call(d.socketPath, 'POST', '/v1.47/build/prune?all=1');
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ CachesDeleted: [], SpaceReclaimed: 0 });
  });

  it('answers a distribution lookup of an invalid reference with 400 (lookups themselves: engine-client distribution-inspect test)', async () => {
    const answer = await call(d.socketPath, 'GET', '/distribution/Not%20A%20Reference/json');
    expect(answer.status).toBe(400);
    expect(answer.json().message).toMatch(/invalid reference format|Not A Reference/);
  });
});
