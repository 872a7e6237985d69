import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedEngine, call, readAll, startDaemon, upgrade } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

async function createCat(name: string): Promise<string> {
  const answer = await call(d.socketPath, 'POST', `/v1.47/containers/create?name=${name}`, { Image: 'busybox', Cmd: ['cat'], OpenStdin: true, StdinOnce: true, AttachStdin: true });
  expect(answer.status, answer.body.toString()).toBe(201);
  return answer.json().Id as string;
}

async function logsOf(id: string): Promise<string> {
  const logs = await call(d.socketPath, 'GET', `/containers/${id}/logs?stdout=1`);
  // One 8-byte frame header per chunk: keep only the payload text.
  let text = '';
  for (let offset = 0; offset + 8 <= logs.body.length; ) {
    const size = logs.body.readUInt32BE(offset + 4);
    text += logs.body.subarray(offset + 8, offset + 8 + size).toString();
    offset += 8 + size;
  }
  return text;
}

/** Whether the daemon has ended its side of the connection. */
function watchEnd(socket: Socket): () => boolean {
  let ended = false;
  socket.on('end', () => (ended = true));
  socket.on('close', () => (ended = true));
  socket.resume();
  return () => ended;
}

// `stdin=1&stdout=0&stderr=0` (a client that only feeds a container, e.g. with StdinOnce) has no
// output to end it: it must stay open until the client half-closes stdin, as dockerd's does.
describe('a stdin-only attach', () => {
  it.each([
    ['to a running container', true],
    ['made before the start', false],
  ])('%s stays open until stdin is closed, then ends and closes the container\'s stdin', async (_name, startFirst) => {
    const id = await createCat(`stdin-only-${startFirst ? 'running' : 'created'}`);
    if (startFirst) expect((await call(d.socketPath, 'POST', `/containers/${id}/start`)).status).toBe(204);
    const { status, socket } = await upgrade(d.socketPath, `/containers/${id}/attach?stream=1&stdin=1&stdout=0&stderr=0`);
    expect(status).toBe(101);
    const ended = watchEnd(socket);
    if (!startFirst) expect((await call(d.socketPath, 'POST', `/containers/${id}/start`)).status).toBe(204);
    socket.write('first line\n');
    await expect.poll(() => logsOf(id)).toBe('first line\n');
    // Delivered, and still open: more stdin goes through the same connection.
    expect(ended()).toBe(false);
    socket.write('second line\n');
    await expect.poll(() => logsOf(id)).toBe('first line\nsecond line\n');
    expect(ended()).toBe(false);
    socket.end();
    await readAll(socket);
    // StdinOnce: the end of this attach's stdin is the end of cat's input.
    expect((await call(d.socketPath, 'POST', `/containers/${id}/wait`)).json().StatusCode).toBe(0);
  });

  it('ends when the container stops, even with stdin still open', async () => {
    const id = await createCat('stdin-only-stopped');
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    const { socket } = await upgrade(d.socketPath, `/containers/${id}/attach?stream=1&stdin=1&stdout=0&stderr=0`);
    const closed = readAll(socket);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/kill`)).status).toBe(204);
    await closed;
    socket.destroy();
  });
});
