import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryEngine } from '@berth/engine';
import { type DaemonServer, serveEngine } from '@berth/daemon';
import { makeTempDir } from '@berth/testkit';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServedEngine, call, startDaemon } from './daemon-fixture.js';
import { tarOf } from './support/tar-entries.js';

// What the endpoint fuzz (fuzz-endpoints.test.ts) found, pinned one case each.

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

/** Writes raw bytes on a fresh connection and reads until the daemon closes it (or 5 s: then `undefined`). */
function rawExchange(socketPath: string, bytes: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(socketPath, () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, 5000);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

function jsonBodyOf(raw: string): { message: string } {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
}

describe('input the endpoint fuzz found mishandled', () => {
  it('refuses a declared Content-Length above the JSON limit at once, without waiting for the body', async () => {
    const raw = await rawExchange(
      d.socketPath,
      'POST /containers/create HTTP/1.1\r\nHost: berthd\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n{"Image":',
    );
    expect(raw, 'no answer: the daemon waited for a terabyte').toBeDefined();
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(jsonBodyOf(raw!).message).toBe('request body is larger than 4194304 bytes');
  });

  it('answers requests the HTTP parser refuses with a JSON message: 431 for a giant URL, 400 for garbage', async () => {
    const giant = await call(d.socketPath, 'GET', `/containers/${'a'.repeat(100_000)}/json`);
    expect(giant.status).toBe(431);
    expect(giant.json()).toEqual({ message: 'request header fields too large' });
    const garbage = await rawExchange(d.socketPath, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(jsonBodyOf(garbage!).message).toMatch(/^bad request: /);
    expect((await call(d.socketPath, 'GET', '/_ping')).status).toBe(200);
  });

  it('refuses a stop timeout beyond any integer instead of rounding it to an immediate kill', async () => {
    const created = (await call(d.socketPath, 'POST', '/containers/create?name=fixes-stop', { Image: 'busybox', Cmd: ['sleep', '1000'] })).json().Id as string;
    await call(d.socketPath, 'POST', `/containers/${created}/start`);
    const stop = await call(d.socketPath, 'POST', `/containers/${created}/stop?t=99999999999999999999999`);
    expect(stop.status).toBe(400);
    expect(stop.json().message).toBe('invalid value for t: strconv.ParseInt: parsing "99999999999999999999999": value out of range');
    expect((await call(d.socketPath, 'GET', `/containers/${created}/json`)).json().State.Running).toBe(true);
    await call(d.socketPath, 'DELETE', `/containers/${created}?force=1`);
  });

  it('refuses resize sizes that are not terminal sizes, for containers and execs', async () => {
    const created = (await call(d.socketPath, 'POST', '/containers/create?name=fixes-resize', { Image: 'busybox', Cmd: ['sleep', '1000'], Tty: true })).json().Id as string;
    await call(d.socketPath, 'POST', `/containers/${created}/start`);
    for (const query of ['h=abc&w=80', 'h=24&w=-5', 'h=1e3&w=80', `h=${'9'.repeat(40)}&w=1`]) {
      const answer = await call(d.socketPath, 'POST', `/containers/${created}/resize?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.json().message).toMatch(/^invalid value for [hw]: /);
    }
    expect((await call(d.socketPath, 'POST', `/containers/${created}/resize?h=24&w=80`)).status).toBe(200);
    const exec = (await call(d.socketPath, 'POST', `/containers/${created}/exec`, { Cmd: ['sh'], Tty: true })).json().Id as string;
    expect((await call(d.socketPath, 'POST', `/exec/${exec}/resize?h=24&w=wide`)).status).toBe(400);
    await call(d.socketPath, 'DELETE', `/containers/${created}?force=1`);
  });
});

describe('commit', () => {
  it('refuses an invalid repository name with 400 before committing anything', async () => {
    const created = (await call(d.socketPath, 'POST', '/containers/create?name=fixes-commit', { Image: 'busybox', Cmd: ['true'] })).json().Id as string;
    const imagesBefore = (await call(d.socketPath, 'GET', '/images/json?all=1')).json().length;
    const answer = await call(d.socketPath, 'POST', `/commit?container=${created}&repo=upper%2FCASE`, {});
    expect(answer.status).toBe(400);
    expect(answer.json().message).toBe('invalid reference format: repository name (upper/CASE) must be lowercase');
    expect((await call(d.socketPath, 'GET', '/images/json?all=1')).json().length).toBe(imagesBefore);
    expect((await call(d.socketPath, 'POST', '/commit?container=no-such-container-x&repo=fine', {})).status).toBe(404);
    await call(d.socketPath, 'DELETE', `/containers/${created}`);
  });
});

describe('concurrent archive uploads into one container', () => {
  it('never write through a symlink another upload swaps in (the fuzz saw a file land on the host)', async () => {
    const host = await makeTempDir('berth-archive-race');
    try {
      const created = (await call(d.socketPath, 'POST', '/containers/create?name=fixes-archive', { Image: 'busybox', Cmd: ['sleep', '1000'] })).json().Id as string;
      await call(d.socketPath, 'POST', `/containers/${created}/start`);
      // Each upload replaces `out` with a symlink to a host path, then writes a file under `out`.
      const hostile = tarOf([
        { name: 'out', type: '2', link: host.path },
        { name: 'out/escaped', data: 'x' },
      ]);
      const answers: number[] = [];
      for (let round = 0; round < 30; round++) {
        const uploads = Array.from({ length: 4 }, () => call(d.socketPath, 'PUT', `/containers/${created}/archive?path=/tmp`, hostile, { 'Content-Type': 'application/x-tar' }));
        for (const answer of await Promise.all(uploads)) answers.push(answer.status);
      }
      expect(await readdir(host.path)).toEqual([]);
      // Inside the container the link resolves in its root: the file is there.
      expect(answers.every((status) => status === 200)).toBe(true);
      expect((await call(d.socketPath, 'HEAD', `/containers/${created}/archive?path=${encodeURIComponent(`${host.path}/escaped`)}`)).status).toBe(200);
      await call(d.socketPath, 'DELETE', `/containers/${created}?force=1`);
    } finally {
      await host.remove();
    }
  });
});

describe('docker import on an engine that never loaded anything', () => {
  let dir: string;
  let server: DaemonServer;
  let socketPath: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berthd-import-'));
    socketPath = join(dir, 'd.sock');
    server = await serveEngine(await createMemoryEngine(), { listeners: [{ type: 'unix', path: socketPath }], closeEngine: true, shutdownTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('imports a rootfs tar from the request body (the temp dir is made on demand)', async () => {
    const pack = tarOf([{ name: 'hello.txt', data: 'imported\n' }]);
    const answer = await call(socketPath, 'POST', '/images/create?fromSrc=-&repo=imported&tag=1', pack, { 'Content-Type': 'application/x-tar' });
    expect(answer.status, answer.body.toString()).toBe(200);
    expect(answer.body.toString()).toMatch(/"status":"sha256:[0-9a-f]{64}"/);
    expect((await call(socketPath, 'GET', '/images/imported:1/json')).status).toBe(200);
  });

  it('answers a body that is not a tar with 400', async () => {
    const answer = await call(socketPath, 'POST', '/images/create?fromSrc=-&repo=garbage', Buffer.from('{"not": "a tar"}'), { 'Content-Type': 'application/x-tar' });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.json().message).not.toBe('');
  });
});
