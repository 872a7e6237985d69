import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJsonLines, encodeFilters } from '@berth/docker-api';
import { type ServedEngine, call, startDaemon } from './daemon-fixture.js';

let d: ServedEngine;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.dispose());

describe('events', () => {
  it('streams filtered events as JSON lines while they happen', async () => {
    const filters = encodeURIComponent(encodeFilters({ type: ['container'], event: ['create', 'start', 'die'] })!);
    const received: Array<{ Type: string; Action: string; Actor: { ID: string }; status?: string; timeNano: number }> = [];
    let subscribed!: () => void;
    const streaming = new Promise<void>((resolve) => (subscribed = resolve));
    const done = new Promise<void>((resolve, reject) => {
      const req = request({ socketPath: d.socketPath, path: `/v1.47/events?filters=${filters}` }, async (res) => {
        expect(res.statusCode).toBe(200);
        subscribed();
        try {
          for await (const event of decodeJsonLines(res)) {
            received.push(event as (typeof received)[number]);
            if (received.length === 3) {
              req.destroy();
              break;
            }
          }
        } catch {
          // destroyed
        }
        resolve();
      });
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => reject(new Error('events did not arrive')), 10_000).unref();
    });
    await streaming;
    const id = (await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] })).json().Id;
    await call(d.socketPath, 'POST', `/containers/${id}/start`);
    await done;
    expect(received.map((e) => e.Action)).toEqual(['create', 'start', 'die']);
    expect(received.every((e) => e.Type === 'container' && e.Actor.ID === id && e.status === e.Action)).toBe(true);
  });

  it('replays past events with since and ends at until', async () => {
    const since = Math.floor(Date.now() / 1000) - 5;
    await call(d.socketPath, 'POST', '/volumes/create', { Name: 'evented' });
    const until = (Date.now() / 1000 + 0.2).toFixed(3);
    const filters = encodeURIComponent(encodeFilters({ type: ['volume'] })!);
    const answer = await call(d.socketPath, 'GET', `/events?since=${since}&until=${until}&filters=${filters}`);
    const events = [];
    for await (const e of decodeJsonLines([answer.body])) events.push(e);
    expect(events).toEqual([expect.objectContaining({ Type: 'volume', Action: 'create', Actor: expect.objectContaining({ ID: 'evented' }) })]);
  });

  it('refuses an unknown filter with 400', async () => {
    const answer = await call(d.socketPath, 'GET', `/events?filters=${encodeURIComponent('{"colour":["red"]}')}`);
    expect(answer.status).toBe(400);
    expect(answer.json().message).toBe("invalid filter 'colour'");
  });
});
