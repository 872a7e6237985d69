import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ServedEngine, call, readAll, startDaemon, upgrade } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

// The docker CLI sends the size of its terminal with POST …/resize?h=&w= once the TTY
// stream is up: the process in the container must then see it (`stty size`).
it('resizes the terminal of an exec', async () => {
  const { Id: id } = (await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['sleep', '1000'] })).json();
  await call(d.socketPath, 'POST', `/containers/${id}/start`);
  const { Id: execId } = (await call(d.socketPath, 'POST', `/containers/${id}/exec`, { Cmd: ['sh', '-c', 'read line; stty size'], Tty: true, AttachStdin: true, AttachStdout: true })).json();
  const { socket, head } = await upgrade(d.socketPath, `/exec/${execId}/start`, { Detach: false, Tty: true });
  // Until the exec runs a resize is a conflict (409), which the CLI retries: so does the test.
  let status = 0;
  for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    status = (await call(d.socketPath, 'POST', `/exec/${execId}/resize?h=40&w=100`)).status;
    expect([200, 409]).toContain(status);
  }
  expect(status).toBe(200);
  socket.write('go\n');
  expect((await readAll(socket, head)).toString()).toBe('go\r\n40 100\r\n');
  await call(d.socketPath, 'DELETE', `/containers/${id}?force=1`);
});

it("passes a container's resize to the engine, and takes one of a container without a terminal as a no-op", async () => {
  // The memory engine's fake runtime keeps the size apart from what its processes see, so the engine call is what is checked here
  // (the real engine's `stty size` is checked by the docker CLI session test).
  const containers = d.engine.containers;
  const original = containers.resize!.bind(containers);
  const seen: Array<[string, { width: number; height: number }]> = [];
  containers.resize = async (id, size) => {
    seen.push([id, size]);
    return original(id, size);
  };
  try {
    const { Id: id } = (await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['sleep', '1000'], Tty: true, OpenStdin: true })).json();
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/resize?h=33&w=77`)).status).toBe(200);
    expect(seen).toEqual([[id, { height: 33, width: 77 }]]);
    const { Id: plain } = (await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['sleep', '1000'] })).json();
    expect((await call(d.socketPath, 'POST', `/containers/${plain}/resize?h=10&w=10`)).status).toBe(200);
    expect(seen).toHaveLength(1);
    expect((await call(d.socketPath, 'POST', `/containers/${id}/resize?h=-1&w=10`)).status).toBe(400);
    await call(d.socketPath, 'DELETE', `/containers/${id}?force=1`);
    await call(d.socketPath, 'DELETE', `/containers/${plain}?force=1`);
  } finally {
    containers.resize = original;
  }
});
