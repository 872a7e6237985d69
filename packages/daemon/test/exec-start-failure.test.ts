import { afterAll, beforeAll, expect, it } from 'vitest';
import { demultiplexStream } from '@berth/docker-api';
import { type ServedEngine, call, readAll, startDaemon, upgrade } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

// `docker exec` of something that cannot start: dockerd has already hijacked the connection,
// so it writes the reason to stdout and records exit code 126, which the CLI then exits with.
it('an exec that cannot start prints the reason on stdout and exits 126', async () => {
  const created = await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['sleep', '1000'] });
  const id = created.json().Id as string;
  expect((await call(d.socketPath, 'POST', `/containers/${id}/start`)).status).toBe(204);
  const exec = await call(d.socketPath, 'POST', `/containers/${id}/exec`, { Cmd: ['true'], User: 'no-such-user', AttachStdout: true, AttachStderr: true });
  const execId = exec.json().Id as string;
  const { status, socket, head } = await upgrade(d.socketPath, `/exec/${execId}/start`, { Detach: false, Tty: false });
  expect(status).toBe(101);
  let stdout = '';
  for await (const chunk of demultiplexStream([await readAll(socket, head)])) if (chunk.stream === 'stdout') stdout += chunk.data.toString();
  expect(stdout).toMatch(/no-such-user.*\r\n$/);
  const inspect = (await call(d.socketPath, 'GET', `/exec/${execId}/json`)).json();
  expect(inspect).toMatchObject({ ExitCode: 126, Running: false });
  await call(d.socketPath, 'DELETE', `/containers/${id}?force=1`);
});
