import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedEngine, call, startDaemon } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

// Every route of the table, with path parameters filled by names that do not exist.
const routes: Array<[string, string]> = [
  ['GET', '/containers/json'], ['POST', '/containers/create'], ['POST', '/containers/prune'],
  ['GET', '/containers/x/json'], ['POST', '/containers/x/start'], ['POST', '/containers/x/stop'],
  ['POST', '/containers/x/restart'], ['POST', '/containers/x/kill'], ['POST', '/containers/x/pause'],
  ['POST', '/containers/x/unpause'], ['POST', '/containers/x/wait'], ['DELETE', '/containers/x'],
  ['GET', '/containers/x/logs'], ['POST', '/containers/x/attach'], ['POST', '/containers/x/resize'],
  ['GET', '/containers/x/top'], ['GET', '/containers/x/stats'], ['POST', '/containers/x/rename'],
  ['POST', '/containers/x/update'], ['GET', '/containers/x/changes'], ['GET', '/containers/x/export'],
  ['HEAD', '/containers/x/archive'], ['GET', '/containers/x/archive'], ['PUT', '/containers/x/archive'],
  ['POST', '/containers/x/exec'], ['POST', '/exec/x/start'], ['POST', '/exec/x/resize'], ['GET', '/exec/x/json'],
  ['GET', '/images/json'], ['POST', '/images/create'], ['POST', '/images/load'], ['GET', '/images/get'],
  ['POST', '/images/prune'], ['GET', '/images/search'], ['GET', '/images/x/json'], ['GET', '/images/x/history'],
  ['GET', '/images/x/get'], ['POST', '/images/x/tag'], ['POST', '/images/x/push'], ['DELETE', '/images/x'],
  ['GET', '/networks'], ['POST', '/networks/create'], ['POST', '/networks/prune'], ['GET', '/networks/x'],
  ['POST', '/networks/x/connect'], ['POST', '/networks/x/disconnect'], ['DELETE', '/networks/x'],
  ['GET', '/volumes'], ['POST', '/volumes/create'], ['POST', '/volumes/prune'], ['GET', '/volumes/x'], ['DELETE', '/volumes/x'],
  ['GET', '/events'], ['GET', '/system/df'], ['POST', '/auth'], ['POST', '/commit'], ['POST', '/build'],
  ['GET', '/_ping'], ['GET', '/version'], ['GET', '/info'],
];

const garbageBodies = ['{', 'null', '[1,2,3]', '"string"', '{"Image": 42, "HostConfig": "no"}', '\u0000\u0001\u0002', '{"Cmd": {"a": 1}}'];
const garbageQueries = ['?filters=%7Bnot-json', '?filters=%7B%22label%22%3A5%7D', '?t=abc&tail=-x&since=yesterday&signal=SIGNOPE', '?name=%2F%2F%2F&condition=maybe&path=..%2F..%2Fetc'];

describe('garbage input', () => {
  it('answers every route with garbage bodies and queries without crashing, never with a 5xx for bad input', async () => {
    const failures: string[] = [];
    for (const [method, path] of routes) {
      for (const body of garbageBodies) {
        for (const query of garbageQueries) {
          // `/events` streams until `until`: give it one in the past so a valid query ends.
          const fullPath = `/v1.47${path}${query}${path === '/events' ? '&until=1' : ''}`;
          const answer = await Promise.race([
            call(d.socketPath, method, fullPath, method === 'GET' || method === 'HEAD' ? undefined : body),
            new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3000).unref()),
          ]);
          if (!answer) {
            failures.push(`${method} ${fullPath} ${JSON.stringify(body)} → no answer`);
            continue;
          }
          if (answer.status >= 500 && answer.status !== 501) failures.push(`${method} ${path}${query} ${JSON.stringify(body)} → ${answer.status} ${answer.body}`);
          if (answer.status >= 400 && method !== 'HEAD') {
            expect(() => answer.json(), `${method} ${path}`).not.toThrow();
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // Still alive and consistent.
    expect((await call(d.socketPath, 'GET', '/_ping')).status).toBe(200);
  });

  it('survives malformed HTTP and cut connections', async () => {
    for (const junk of ['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', 'POST /containers/create HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"Ima']) {
      await new Promise<void>((resolve) => {
        const socket = connect(d.socketPath, () => {
          socket.write(junk);
          setTimeout(() => socket.destroy(), 20);
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
      });
    }
    expect((await call(d.socketPath, 'GET', '/_ping')).status).toBe(200);
  });

  it('refuses path-escaping archive uploads and names with 4xx', async () => {
    const bad = await call(d.socketPath, 'POST', '/containers/create?name=../../etc', { Image: 'busybox' });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });
});
