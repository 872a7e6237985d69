import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedEngine, call, startDaemon } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

describe('networks', () => {
  it('creates, lists, inspects, connects, disconnects, removes and prunes', async () => {
    const created = await call(d.socketPath, 'POST', '/networks/create', { Name: 'appnet', Labels: { team: 'a' } });
    expect(created.status).toBe(201);
    const id = created.json().Id as string;
    const list = (await call(d.socketPath, 'GET', '/networks')).json() as Array<{ Name: string }>;
    expect(list.map((n) => n.Name)).toEqual(expect.arrayContaining(['bridge', 'host', 'none', 'appnet']));
    const inspect = (await call(d.socketPath, 'GET', '/networks/appnet')).json();
    expect(inspect.Id).toBe(id);
    expect(inspect.Labels).toEqual({ team: 'a' });
    const container = (await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['sleep', '100'] })).json().Id as string;
    await call(d.socketPath, 'POST', `/containers/${container}/start`);
    expect((await call(d.socketPath, 'POST', '/networks/appnet/connect', { Container: container, EndpointConfig: { Aliases: ['web'] } })).status).toBe(200);
    const connected = (await call(d.socketPath, 'GET', '/networks/appnet')).json();
    expect(Object.keys(connected.Containers)).toContain(container);
    const busy = await call(d.socketPath, 'DELETE', '/networks/appnet');
    expect(busy.status).toBe(403); // dockerd: libnetwork ActiveEndpointsError is Forbidden
    expect((await call(d.socketPath, 'POST', '/networks/appnet/disconnect', { Container: container })).status).toBe(200);
    expect((await call(d.socketPath, 'DELETE', '/networks/appnet')).status).toBe(204);
    expect((await call(d.socketPath, 'GET', '/networks/appnet')).status).toBe(404);
    await call(d.socketPath, 'POST', '/networks/create', { Name: 'prunable' });
    const pruned = (await call(d.socketPath, 'POST', '/networks/prune')).json();
    expect(pruned.NetworksDeleted).toContain('prunable');
    await call(d.socketPath, 'DELETE', `/containers/${container}?force=1`);
  });

  it('refuses a create without a name (400) and a duplicate (409)', async () => {
    expect((await call(d.socketPath, 'POST', '/networks/create', {})).status).toBe(400);
    await call(d.socketPath, 'POST', '/networks/create', { Name: 'twice' });
    expect((await call(d.socketPath, 'POST', '/networks/create', { Name: 'twice' })).status).toBe(409);
  });
});

describe('volumes', () => {
  it('creates, lists, inspects, removes and prunes', async () => {
    const created = await call(d.socketPath, 'POST', '/volumes/create', { Name: 'data', Labels: { keep: 'no' } });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ Name: 'data', Driver: 'local', Labels: { keep: 'no' }, Scope: 'local' });
    const list = (await call(d.socketPath, 'GET', '/volumes')).json();
    expect(list.Volumes.map((v: { Name: string }) => v.Name)).toContain('data');
    expect((await call(d.socketPath, 'GET', '/volumes/data')).json().Name).toBe('data');
    expect((await call(d.socketPath, 'DELETE', '/volumes/data')).status).toBe(204);
    const missing = await call(d.socketPath, 'GET', '/volumes/data');
    expect(missing.status).toBe(404);
    await call(d.socketPath, 'POST', '/volumes/create', {});
    const pruned = (await call(d.socketPath, 'POST', '/volumes/prune')).json();
    expect(pruned.VolumesDeleted.length).toBe(1);
  });

  it('refuses to remove a volume in use', async () => {
    await call(d.socketPath, 'POST', '/volumes/create', { Name: 'used' });
    const id = (await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', HostConfig: { Binds: ['used:/data'] } })).json().Id;
    expect((await call(d.socketPath, 'DELETE', '/volumes/used')).status).toBe(409);
    await call(d.socketPath, 'DELETE', `/containers/${id}`);
    expect((await call(d.socketPath, 'DELETE', '/volumes/used')).status).toBe(204);
  });
});
