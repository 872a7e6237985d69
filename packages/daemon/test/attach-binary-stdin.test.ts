import { afterAll, beforeAll, expect, it } from 'vitest';
import { demultiplexStream } from '@berth/docker-api';
import { type ServedEngine, call, readAll, startDaemon, upgrade } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

// `docker run -i app < file.bin`: without a terminal dockerd copies stdin as is; only a TTY
// attach scans for the detach keys. Binary input holds ctrl-p ctrl-q pairs, which must reach the
// container instead of ending the attach.
it('passes ctrl-p ctrl-q through to a container without a terminal', async () => {
  const { Id: id } = (await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['cat'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true })).json();
  const { socket, head } = await upgrade(d.socketPath, `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
  await call(d.socketPath, 'POST', `/containers/${id}/start`);
  const input = Buffer.from([0x61, 0x10, 0x11, 0x62, 0x10, 0x11, 0x0a]);
  socket.end(input);
  let stdout = Buffer.alloc(0);
  for await (const chunk of demultiplexStream([await readAll(socket, head)])) if (chunk.stream === 'stdout') stdout = Buffer.concat([stdout, chunk.data]);
  expect(stdout).toEqual(input);
  expect((await call(d.socketPath, 'POST', `/containers/${id}/wait`)).json()).toEqual({ StatusCode: 0 });
  await call(d.socketPath, 'DELETE', `/containers/${id}?force=1`);
});
