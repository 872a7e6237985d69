import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedEngine, call, startDaemon } from './daemon-fixture.js';
import { tarOf } from './support/tar-entries.js';

// `size` on GET /containers/json and GET /containers/{id}/json: SizeRw and SizeRootFs are in
// the answer exactly when asked, with dockerd's `BoolValue` reading of the parameter.
describe('container sizes over the API', () => {
  let d: ServedEngine;
  let id: string;
  let imageSize: number;
  const written = 300 << 10;

  beforeAll(async () => {
    d = await startDaemon();
    const created = await call(d.socketPath, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] });
    expect(created.status).toBe(201);
    id = created.json().Id;
    const put = await call(d.socketPath, 'PUT', `/containers/${id}/archive?path=/`, tarOf([{ name: 'written.bin', data: randomBytes(written) }]), {
      'Content-Type': 'application/x-tar',
    });
    expect(put.status).toBe(200);
    imageSize = (await call(d.socketPath, 'GET', '/images/busybox/json')).json().Size;
    expect(imageSize).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await d?.dispose();
  });

  const listed = async (query: string) => {
    const answer = await call(d.socketPath, 'GET', `/containers/json?all=1${query}`);
    expect(answer.status).toBe(200);
    return (answer.json() as Array<Record<string, unknown>>).find((c) => c['Id'] === id)!;
  };
  const inspected = async (query: string) => {
    const answer = await call(d.socketPath, 'GET', `/containers/${id}/json${query}`);
    expect(answer.status).toBe(200);
    return answer.json() as Record<string, unknown>;
  };

  it.each(['1', 'true', 'True', 'yes'])('size=%s adds SizeRw and SizeRootFs to the list and to inspect', async (value) => {
    for (const document of [await listed(`&size=${value}`), await inspected(`?size=${value}`)]) {
      expect(document['SizeRw']).toBeGreaterThanOrEqual(written);
      expect(document['SizeRootFs']).toBe((document['SizeRw'] as number) + imageSize);
    }
  });

  it.each(['', '&size=0', '&size=false', '&size=no', '&size='])('without size (%j) neither field is there', async (query) => {
    const summary = await listed(query);
    const document = await inspected(query.replace('&', '?'));
    for (const answer of [summary, document]) {
      expect(answer).not.toHaveProperty('SizeRw');
      expect(answer).not.toHaveProperty('SizeRootFs');
    }
  });

  it('places the sizes after GraphDriver in inspect, as dockerd', async () => {
    const keys = Object.keys(await inspected('?size=1'));
    expect(keys.indexOf('SizeRw')).toBe(keys.indexOf('GraphDriver') + 1);
    expect(keys.indexOf('SizeRootFs')).toBe(keys.indexOf('SizeRw') + 1);
  });

  it('measures in system df too: SizeRootFs is the image plus the writable layer', async () => {
    const df = (await call(d.socketPath, 'GET', '/system/df')).json();
    const container = (df.Containers as Array<Record<string, number | string>>).find((c) => c['Id'] === id)!;
    expect(container['SizeRw']).toBeGreaterThanOrEqual(written);
    expect(container['SizeRootFs']).toBe((container['SizeRw'] as number) + imageSize);
  });
});
