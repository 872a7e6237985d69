import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJsonLines } from '@berth/docker-api';
import { type ServedEngine, call, startDaemon } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

describe('images', () => {
  it('lists and inspects busybox', async () => {
    const list = (await call(d.socketPath, 'GET', '/v1.47/images/json')).json() as Array<{ Id: string; RepoTags: string[]; Created: number }>;
    expect(list).toHaveLength(1);
    expect(list[0]!.RepoTags).toEqual(['busybox:latest']);
    expect(Number.isInteger(list[0]!.Created)).toBe(true);
    const inspect = (await call(d.socketPath, 'GET', '/images/busybox/json')).json();
    expect(inspect.Id).toBe(list[0]!.Id);
    expect(inspect.Os).toBe('linux');
    expect(inspect.RootFS.Type).toBe('layers');
    const history = (await call(d.socketPath, 'GET', '/images/busybox:latest/history')).json() as Array<{ CreatedBy: string }>;
    expect(history.length).toBeGreaterThan(0);
  });

  it('answers 404 with docker\'s text for an unknown image', async () => {
    const answer = await call(d.socketPath, 'GET', '/images/nothing:here/json');
    expect(answer.status).toBe(404);
    expect(answer.json()).toEqual({ message: 'No such image: nothing:here' });
  });

  it('tags with a slash in the name and removes the tag', async () => {
    expect((await call(d.socketPath, 'POST', '/images/busybox/tag?repo=localhost:5000/team/box&tag=v1')).status).toBe(201);
    const inspect = (await call(d.socketPath, 'GET', '/images/localhost:5000/team/box:v1/json')).json();
    expect(inspect.RepoTags).toContain('localhost:5000/team/box:v1');
    const removed = await call(d.socketPath, 'DELETE', '/images/localhost:5000/team/box:v1');
    expect(removed.status).toBe(200);
    expect(removed.json()).toEqual([{ Untagged: 'localhost:5000/team/box:v1' }]);
  });

  it('saves an image and loads it back under its name', async () => {
    const saved = await call(d.socketPath, 'GET', '/images/busybox/get');
    expect(saved.status).toBe(200);
    expect(saved.headers['content-type']).toBe('application/x-tar');
    const both = await call(d.socketPath, 'GET', '/images/get?names=busybox&names=busybox:latest');
    expect(both.status).toBe(200);
    const id = (await call(d.socketPath, 'GET', '/images/busybox/json')).json().Id;
    const removed = await call(d.socketPath, 'DELETE', '/images/busybox?force=1');
    expect(removed.status).toBe(200);
    expect((await call(d.socketPath, 'GET', '/images/busybox/json')).status).toBe(404);
    const loaded = await call(d.socketPath, 'POST', '/images/load?quiet=1', saved.body, { 'Content-Type': 'application/x-tar' });
    expect(loaded.status).toBe(200);
    const lines = [];
    for await (const line of decodeJsonLines([loaded.body])) lines.push(line);
    expect(lines).toEqual([{ stream: 'Loaded image: busybox:latest\n' }]);
    expect((await call(d.socketPath, 'GET', '/images/busybox/json')).json().Id).toBe(id);
  });

  it('imports a rootfs tar from the body', async () => {
    const created = await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] });
    const rootfs = await call(d.socketPath, 'GET', `/containers/${created.json().Id}/export`);
    const imported = await call(d.socketPath, 'POST', `/images/create?fromSrc=-&repo=imported&tag=v1&changes=${encodeURIComponent('CMD ["sh"]')}`, rootfs.body, {
      'Content-Type': 'application/x-tar',
    });
    expect(imported.status).toBe(200);
    const id = (JSON.parse(imported.body.toString()) as { status: string }).status;
    expect(id).toMatch(/^sha256:/);
    const importedImage = (await call(d.socketPath, 'GET', '/images/imported:v1/json')).json();
    expect(importedImage.Id).toBe(id);
    expect(importedImage.Config.Cmd).toEqual(['sh']);
  });

  it('answers a pull from an unreachable registry with an error', async () => {
    const answer = await call(d.socketPath, 'POST', '/images/create?fromImage=127.0.0.1:1/none&tag=latest');
    if (answer.status === 200) {
      const lines: Array<{ error?: string }> = [];
      for await (const line of decodeJsonLines([answer.body])) lines.push(line as { error?: string });
      expect(lines.at(-1)?.error).toBeTruthy();
    } else {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.json().message).toBeTruthy();
    }
  });

  it('searches nothing and prunes dangling images', async () => {
    const search = await call(d.socketPath, 'GET', '/images/search?term=busybox');
    expect(search.json()).toEqual([]);
    const prune = await call(d.socketPath, 'POST', '/images/prune');
    expect(prune.status).toBe(200);
    expect(prune.json()).toHaveProperty('SpaceReclaimed');
  });

  it('commits a container into a new image', async () => {
    const id = (await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] })).json().Id;
    const committed = await call(d.socketPath, 'POST', `/commit?container=${id}&repo=committed&tag=one&comment=hi`, { Cmd: ['echo', 'committed'] });
    expect(committed.status).toBe(201);
    const inspect = (await call(d.socketPath, 'GET', '/images/committed:one/json')).json();
    expect(inspect.Id).toBe(committed.json().Id);
    expect(inspect.Config.Cmd).toEqual(['echo', 'committed']);
    const changed = await call(d.socketPath, 'POST', `/commit?container=${id}&repo=committed&tag=two&changes=${encodeURIComponent('ENV MODE=changed')}&changes=${encodeURIComponent('WORKDIR /srv')}`, {});
    expect(changed.status).toBe(201);
    const changedConfig = (await call(d.socketPath, 'GET', '/images/committed:two/json')).json().Config;
    expect(changedConfig.Env).toContain('MODE=changed');
    expect(changedConfig.WorkingDir).toBe('/srv');
    const refused = await call(d.socketPath, 'POST', `/commit?container=${id}&changes=${encodeURIComponent('RUN true')}`, {});
    expect(refused.status).toBe(400);
    expect(refused.json().message).toBe('RUN is not a valid change command');
  });
});
