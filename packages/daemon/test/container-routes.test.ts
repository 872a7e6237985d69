import { type IncomingMessage, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demultiplexStream, encodeFilters } from '@berth/docker-api';
import { type ServedEngine, call, readAll, startDaemon, upgrade } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

async function demux(body: Buffer): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  for await (const chunk of demultiplexStream([body])) if (chunk.stream === 'stdout' || chunk.stream === 'stderr') out[chunk.stream] += chunk.data.toString();
  return out;
}

async function createContainer(body: Record<string, unknown>, name?: string): Promise<string> {
  const answer = await call(d.socketPath, 'POST', `/v1.47/containers/create${name ? `?name=${name}` : ''}`, { Image: 'busybox', ...body });
  expect(answer.status, answer.body.toString()).toBe(201);
  return answer.json().Id as string;
}

describe('container lifecycle', () => {
  it('creates, starts, waits and reads multiplexed logs', async () => {
    const id = await createContainer({ Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'] }, 'lifecycle-one');
    expect((await call(d.socketPath, 'POST', `/containers/${id}/start`)).status).toBe(204);
    const wait = await call(d.socketPath, 'POST', `/containers/${id}/wait`);
    expect(wait.json()).toEqual({ StatusCode: 3 });
    const logs = await call(d.socketPath, 'GET', `/containers/${id}/logs?stdout=1&stderr=1`);
    expect(logs.headers['content-type']).toBe('application/vnd.docker.multiplexed-stream');
    expect(await demux(logs.body)).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    const onlyOut = await call(d.socketPath, 'GET', `/containers/${id}/logs?stdout=1`);
    expect(await demux(onlyOut.body)).toEqual({ stdout: 'out\n', stderr: '' });
    const stamped = await demux((await call(d.socketPath, 'GET', `/containers/${id}/logs?stdout=1&timestamps=1`)).body);
    expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z out\n$/);
    const none = await call(d.socketPath, 'GET', `/containers/${id}/logs`);
    expect(none.status).toBe(400);
    expect(none.json().message).toBe('Bad parameters: you must choose at least one stream');
  });

  it('honours tail and since of logs', async () => {
    const id = await createContainer({ Cmd: ['sh', '-c', 'echo 1; echo 2; echo 3'] });
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    await call(d.socketPath, 'POST', `/containers/${id}/wait`);
    expect((await demux((await call(d.socketPath, 'GET', `/containers/${id}/logs?stdout=1&tail=2`)).body)).stdout).toBe('2\n3\n');
    expect((await demux((await call(d.socketPath, 'GET', `/containers/${id}/logs?stdout=1&tail=all`)).body)).stdout).toBe('1\n2\n3\n');
    const future = Math.floor(Date.now() / 1000) + 100;
    expect((await demux((await call(d.socketPath, 'GET', `/containers/${id}/logs?stdout=1&since=${future}`)).body)).stdout).toBe('');
  });

  it('inspects with docker\'s names and state', async () => {
    const id = await createContainer({ Cmd: ['true'], Labels: { app: 'x' } }, 'inspected');
    const inspect = (await call(d.socketPath, 'GET', '/containers/inspected/json')).json();
    expect(inspect.Id).toBe(id);
    expect(inspect.Name).toBe('/inspected');
    expect(inspect.State.Status).toBe('created');
    expect(inspect.State.Running).toBe(false);
    expect(inspect.Config.Labels).toEqual({ app: 'x' });
    expect(inspect.Config.Image).toBe('busybox');
  });

  it('lists with filters and all', async () => {
    await createContainer({ Cmd: ['true'], Labels: { listed: 'yes' } }, 'listed-one');
    const running = (await call(d.socketPath, 'GET', '/containers/json')).json() as Array<{ Names: string[] }>;
    expect(running.some((c) => c.Names.includes('/listed-one'))).toBe(false);
    const filters = encodeURIComponent(encodeFilters({ label: ['listed=yes'] })!);
    const all = (await call(d.socketPath, 'GET', `/containers/json?all=1&filters=${filters}`)).json() as Array<{ Names: string[]; State: string }>;
    expect(all.map((c) => c.Names)).toEqual([['/listed-one']]);
    expect(all[0]!.State).toBe('created');
    const bad = await call(d.socketPath, 'GET', `/containers/json?filters=${encodeURIComponent('{"bogus":["x"]}')}`);
    expect(bad.status).toBe(400);
    expect(bad.json().message).toBe("invalid filter 'bogus'");
  });

  it('stops, restarts, kills, renames and removes', async () => {
    const id = await createContainer({ Cmd: ['sleep', '1000'] }, 'stoppable');
    expect((await call(d.socketPath, 'POST', `/containers/${id}/start`)).status).toBe(204);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/start`)).status).toBe(304);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/pause`)).status).toBe(204);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/unpause`)).status).toBe(204);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/stop?t=1`)).status).toBe(204);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/stop`)).status).toBe(304);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/restart?t=1`)).status).toBe(204);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/kill?signal=SIGKILL`)).status).toBe(204);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/rename?name=renamed`)).status).toBe(204);
    expect((await call(d.socketPath, 'GET', '/containers/renamed/json')).json().Id).toBe(id);
    expect((await call(d.socketPath, 'DELETE', '/containers/renamed?v=1')).status).toBe(204);
    const gone = await call(d.socketPath, 'GET', `/containers/${id}/json`);
    expect(gone.status).toBe(404);
    expect(gone.json()).toEqual({ message: `No such container: ${id}` });
  });

  it('refuses to remove a running container without force (409) and removes it with force', async () => {
    const id = await createContainer({ Cmd: ['sleep', '1000'] });
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    const refused = await call(d.socketPath, 'DELETE', `/containers/${id}`);
    expect(refused.status).toBe(409);
    expect((await call(d.socketPath, 'DELETE', `/containers/${id}?force=1`)).status).toBe(204);
  });

  it('answers docker\'s errors: unknown image 404, taken name 409, unknown container 404', async () => {
    const noImage = await call(d.socketPath, 'POST', '/containers/create', { Image: 'nothere:1' });
    expect(noImage.status).toBe(404);
    expect(noImage.json()).toEqual({ message: 'No such image: nothere:1' });
    const id = await createContainer({ Cmd: ['true'] }, 'taken');
    const taken = await call(d.socketPath, 'POST', '/containers/create?name=taken', { Image: 'busybox' });
    expect(taken.status).toBe(409);
    expect(taken.json().message).toBe(
      `Conflict. The container name "/taken" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
    const unknown = await call(d.socketPath, 'POST', '/containers/nope/start');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({ message: 'No such container: nope' });
  });

  it('answers 400 naming the field for a body of the wrong shape, and for malformed JSON', async () => {
    const wrong = await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', HostConfig: { Memory: 'lots' } });
    expect(wrong.status).toBe(400);
    expect(wrong.json().message).toContain('HostConfig.Memory');
    const malformed = await call(d.socketPath, 'POST', '/containers/create', '{"Image": "busybox",');
    expect(malformed.status).toBe(400);
    expect(malformed.json().message).toMatch(/^invalid JSON/);
    const empty = await call(d.socketPath, 'POST', '/containers/create');
    expect(empty.status).toBe(400);
  });

  it('waits for removal with condition=removed', async () => {
    const id = await createContainer({ Cmd: ['true'] });
    // The headers come as soon as the wait is in place; the body when the condition holds.
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ socketPath: d.socketPath, method: 'POST', path: `/containers/${id}/wait?condition=removed` }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(response.statusCode).toBe(200);
    await call(d.socketPath, 'DELETE', `/containers/${id}`);
    expect(JSON.parse((await readAll(response)).toString())).toEqual({ StatusCode: 0 });
    const bad = await call(d.socketPath, 'POST', `/containers/x/wait?condition=sometime`);
    expect(bad.status).toBe(400);
  });
});

describe('attach', () => {
  it('hijacks with 101, passes stdin, and keeps stdout flowing after the client half-closes', async () => {
    const id = await createContainer({ Cmd: ['cat'], OpenStdin: true, StdinOnce: true, AttachStdin: true }, 'cat-attach');
    const { status, headers, socket, head } = await upgrade(d.socketPath, `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
    expect(status).toBe(101);
    expect(headers['content-type']).toBe('application/vnd.docker.multiplexed-stream');
    expect((await call(d.socketPath, 'POST', `/containers/${id}/start`)).status).toBe(204);
    socket.write('hello through stdin\n');
    socket.end();
    const output = await readAll(socket, head);
    expect(await demux(output)).toEqual({ stdout: 'hello through stdin\n', stderr: '' });
    expect((await call(d.socketPath, 'POST', `/containers/${id}/wait`)).json().StatusCode).toBe(0);
  });

  it('sends raw bytes for a TTY container', async () => {
    const id = await createContainer({ Cmd: ['echo', 'tty out'], Tty: true });
    const { headers, socket, head } = await upgrade(d.socketPath, `/containers/${id}/attach?stream=1&stdout=1&stderr=1`);
    expect(headers['content-type']).toBe('application/vnd.docker.raw-stream');
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    const output = await readAll(socket, head);
    expect(output.toString()).toContain('tty out');
  });

  it('detaches on ctrl-p ctrl-q without stopping the container', async () => {
    // Detach keys are read from a terminal only (dockerd): the container has one.
    const id = await createContainer({ Cmd: ['cat'], OpenStdin: true, Tty: true });
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    const { socket, head } = await upgrade(d.socketPath, `/containers/${id}/attach?stream=1&stdin=1&stdout=1`);
    socket.write(Buffer.from([0x10, 0x11]));
    await readAll(socket, head);
    expect((await call(d.socketPath, 'GET', `/containers/${id}/json`)).json().State.Running).toBe(true);
    await call(d.socketPath, 'DELETE', `/containers/${id}?force=1`);
  });

  it('without upgrade headers answers 200 and streams the output as the body', async () => {
    const id = await createContainer({ Cmd: ['echo', 'plain attach'] });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ socketPath: d.socketPath, method: 'POST', path: `/containers/${id}/attach?stream=1&stdout=1&stderr=1` }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.docker.multiplexed-stream');
    expect(response.headers['transfer-encoding']).toBeUndefined();
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    expect((await demux(await readAll(response))).stdout).toBe('plain attach\n');
  });

  it('answers 404 on an upgrade request for an unknown container', async () => {
    await expect(upgrade(d.socketPath, '/containers/nope/attach?stream=1&stdout=1')).rejects.toThrow(/no upgrade: 404/);
  });
});

describe('exec', () => {
  it('creates, starts hijacked, and inspects an exec', async () => {
    const id = await createContainer({ Cmd: ['sleep', '1000'] });
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    const created = await call(d.socketPath, 'POST', `/containers/${id}/exec`, { Cmd: ['sh', '-c', 'echo in-exec; exit 7'], AttachStdout: true, AttachStderr: true });
    expect(created.status).toBe(201);
    const execId = created.json().Id as string;
    const { status, socket, head } = await upgrade(d.socketPath, `/exec/${execId}/start`, { Detach: false, Tty: false });
    expect(status).toBe(101);
    const output = await readAll(socket, head);
    expect((await demux(output)).stdout).toBe('in-exec\n');
    const inspect = (await call(d.socketPath, 'GET', `/exec/${execId}/json`)).json();
    expect(inspect.ExitCode).toBe(7);
    expect(inspect.Running).toBe(false);
    expect(inspect.ContainerID).toBe(id);
    const missing = await call(d.socketPath, 'POST', `/containers/${id}/exec`, { AttachStdout: true });
    expect(missing.status).toBe(400);
    await call(d.socketPath, 'DELETE', `/containers/${id}?force=1`);
  });

  it('feeds stdin to an exec', async () => {
    const id = await createContainer({ Cmd: ['sleep', '1000'] });
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    const execId = (await call(d.socketPath, 'POST', `/containers/${id}/exec`, { Cmd: ['cat'], AttachStdin: true, AttachStdout: true })).json().Id;
    const { socket, head } = await upgrade(d.socketPath, `/exec/${execId}/start`, {});
    socket.end('piped\n');
    expect((await demux(await readAll(socket, head))).stdout).toBe('piped\n');
    await call(d.socketPath, 'DELETE', `/containers/${id}?force=1`);
  });
});

describe('container files and stats', () => {
  it('stats one-shot, top, changes, archive HEAD/GET, export, prune', async () => {
    const id = await createContainer({ Cmd: ['sleep', '1000'] });
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    const stats = await call(d.socketPath, 'GET', `/containers/${id}/stats?stream=false`);
    expect(stats.status).toBe(200);
    expect(stats.json().id).toBe(id);
    const top = await call(d.socketPath, 'GET', `/containers/${id}/top`);
    expect(top.status).toBe(200);
    expect(Array.isArray(top.json().Titles)).toBe(true);
    expect((await call(d.socketPath, 'GET', `/containers/${id}/changes`)).status).toBe(200);
    const head = await call(d.socketPath, 'HEAD', `/containers/${id}/archive?path=/bin`);
    expect(head.status).toBe(200);
    const stat = JSON.parse(Buffer.from(head.headers['x-docker-container-path-stat'] as string, 'base64').toString());
    expect(stat.name).toBe('bin');
    expect(stat.mode >= 2 ** 31).toBe(true);
    const archive = await call(d.socketPath, 'GET', `/containers/${id}/archive?path=/bin/busybox`);
    expect(archive.status).toBe(200);
    expect(archive.body.length).toBeGreaterThan(512);
    const exported = await call(d.socketPath, 'GET', `/containers/${id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.length).toBeGreaterThan(512);
    await call(d.socketPath, 'POST', `/containers/${id}/kill`);
    await call(d.socketPath, 'POST', `/containers/${id}/wait`);
    const pruned = (await call(d.socketPath, 'POST', '/containers/prune')).json();
    expect(pruned.ContainersDeleted).toContain(id);
  });
});
