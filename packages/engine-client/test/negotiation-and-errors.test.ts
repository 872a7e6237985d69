import { createEngineClient } from '@berth/engine-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDaemon, jsonRoute, startFakeDaemon } from './support/fake-daemon.js';

let daemon: FakeDaemon | undefined;
afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
});

const versionBody = { Version: 'fake', ApiVersion: '1.47', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64' };

describe('API version negotiation', () => {
  it.each([
    ['1.43', '1.43'],
    ['1.99', '1.47'],
    [null, '1.24'],
  ])('speaks min(ours, the daemon\'s %s) = %s in request paths', async (serverVersion, expected) => {
    daemon = await startFakeDaemon(serverVersion);
    daemon.route(jsonRoute('GET', '/version', 200, versionBody));
    const client = createEngineClient({ host: daemon.host });
    await client.system.version();
    expect(await client.apiVersion()).toBe(expected);
    expect(daemon.seen.map((r) => r.url)).toEqual(['/_ping', `/v${expected}/version`]);
    await client.close();
  });

  it('pings once for all requests, and not at all with a fixed version', async () => {
    daemon = await startFakeDaemon('1.45');
    daemon.route(jsonRoute('GET', '/version', 200, versionBody));
    const negotiating = createEngineClient({ host: daemon.host });
    await Promise.all([negotiating.system.version(), negotiating.system.version()]);
    await negotiating.system.version();
    expect(daemon.seen.filter((r) => r.url === '/_ping')).toHaveLength(1);
    await negotiating.close();

    daemon.seen.length = 0;
    const fixed = createEngineClient({ host: daemon.host, apiVersion: '1.41' });
    await fixed.system.version();
    expect(daemon.seen.map((r) => r.url)).toEqual(['/v1.41/version']);
    await fixed.close();
  });
});

describe('error replies', () => {
  it.each([
    [400, 'InvalidArgument'],
    [401, 'Unauthorized'],
    [403, 'PermissionDenied'],
    [404, 'NotFound'],
    [409, 'Conflict'],
    [500, 'Internal'],
    [501, 'NotImplemented'],
    [503, 'Unavailable'],
  ])('maps status %i to %s and keeps the daemon\'s message', async (status, code) => {
    daemon = await startFakeDaemon();
    daemon.route(jsonRoute('GET', '/containers/x/json', status, { message: `status ${status} for x` }));
    const client = createEngineClient({ host: daemon.host });
    const error = await client.containers.inspect('x').catch((err: unknown) => err);
    expect(error).toMatchObject({ code, message: `status ${status} for x` });
    await client.close();
  });

  it('keeps a plain-text error body as the message', async () => {
    daemon = await startFakeDaemon();
    daemon.route((request, response) => {
      if (!request.url?.includes('/volumes/v')) return false;
      response.statusCode = 404;
      response.end('no such volume: v\n');
      return true;
    });
    const client = createEngineClient({ host: daemon.host });
    await expect(client.volumes.inspect('v')).rejects.toMatchObject({ code: 'NotFound', message: 'no such volume: v' });
    await client.close();
  });

  it('names the path of a missing file when the HEAD reply has no body', async () => {
    daemon = await startFakeDaemon();
    daemon.route((request, response) => {
      if (request.method !== 'HEAD') return false;
      response.statusCode = 404;
      response.end();
      return true;
    });
    const client = createEngineClient({ host: daemon.host });
    await expect(client.containers.statPath('c1', '/nope')).rejects.toMatchObject({
      code: 'NotFound',
      message: 'Could not find the file /nope in container c1',
    });
    await client.close();
  });

  it('reports an unreachable daemon as Unavailable', async () => {
    const client = createEngineClient({ host: 'unix:///nonexistent/berth/docker.sock' });
    await expect(client.system.version()).rejects.toMatchObject({ code: 'Unavailable' });
    await client.close();
  });

  it('fails a pull whose progress stream ends with an error message', async () => {
    daemon = await startFakeDaemon();
    daemon.route((request, response) => {
      if (!request.url?.includes('/images/create')) return false;
      response.setHeader('Content-Type', 'application/json');
      response.write(JSON.stringify({ status: 'Pulling from library/app', id: 'latest' }) + '\r\n');
      response.write(JSON.stringify({ status: 'Downloading', id: '0123456789ab', progressDetail: { current: 5, total: 10 } }) + '\r\n');
      response.end(JSON.stringify({ errorDetail: { message: 'manifest unknown: app:latest not found' }, error: 'manifest unknown: app:latest not found' }) + '\r\n');
      return true;
    });
    const client = createEngineClient({ host: daemon.host });
    const handle = client.images.pull('localhost:5000/app');
    const events = [];
    for await (const event of handle.progress) events.push(event);
    await expect(handle.done).rejects.toMatchObject({ code: 'NotFound', message: 'manifest unknown: app:latest not found' });
    expect(events).toEqual([{ type: 'layer', state: 'downloading', digest: 'sha256:0123456789ab', bytes: 5, total: 10 }]);
    const pull = daemon.seen.find((r) => r.url.includes('/images/create'))!;
    expect(new URL(pull.url, 'http://d').searchParams.get('fromImage')).toBe('localhost:5000/app');
    expect(new URL(pull.url, 'http://d').searchParams.get('tag')).toBe('latest');
    expect(JSON.parse(Buffer.from(String(pull.headers['x-registry-auth']), 'base64').toString())).toEqual({});
    await client.close();
  });
});
