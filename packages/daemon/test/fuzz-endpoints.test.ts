import { readFile, readdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@berth/testkit';
import { type Answer, type ServedEngine, call, startDaemon } from './daemon-fixture.js';
import { type TarEntry, tarOf } from './support/tar-entries.js';

// A short deterministic fuzz over berthd's endpoints (memory engine): seeded, so a failure names
// the seed and request index that reproduce it (BERTH_FUZZ_SEED, BERTH_FUZZ_COUNT). Every request
// is bad input: each answer must be a 4xx (or a documented 501) with a non-empty JSON `message` —
// never another 5xx, never a hang — and afterwards the daemon answers and lists the same objects.
// Read-only requests on real objects (odd but legal queries, e.g. `tail=-5`) may also succeed.

const SEED = Number(process.env['BERTH_FUZZ_SEED'] ?? 0x5eed);
const COUNT = Number(process.env['BERTH_FUZZ_COUNT'] ?? 2500);
const IN_FLIGHT = Number(process.env['BERTH_FUZZ_IN_FLIGHT'] ?? 4);
const ANSWER_WITHIN_MS = 5000;

/** A small, fast, seedable PRNG (mulberry32). */
class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }
}

/** One generated request and what its answer may be: `error` = 4xx/501 only; `any` = anything but a 5xx. */
interface FuzzRequest {
  method: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Bytes written as they are on a fresh connection (requests node's client refuses to send). */
  raw?: string;
  expect: 'error' | 'any';
}

/** The objects the fuzz must leave alone, made before it runs. */
interface World {
  running: string;
  exited: string;
  network: string;
  exec: string;
  image: string;
  /** A host directory outside every container; nothing may appear in it. */
  sentinelDir: string;
}

// Names that exist nowhere and are no ID prefix (IDs are hex; none of these is). No `.` or `..`:
// URLs resolve those segments before any route sees them, as dockerd's router cleans paths.
const unknownIds = [
  'nope', 'no-such-thing', 'zzzzzzzzzzzz', '..%2F..%2Fetc', '%00', 'x%zz', '%C3%BC%C3%B1%C3%AF', '-', '_',
  'sha256:zzzz', 'nope:latest', 'UPPER', 'a%20b', '%2F%2F%2F', `${'q'.repeat(300)}`, 'null', 'undefined', '[object%20Object]',
];
const garbageQueries = [
  '', '?filters=%7Bnot-json', '?filters=%7B%22label%22%3A5%7D', '?filters=%5B%5D', '?filters=%7B%22nope%22%3A%5B%22x%22%5D%7D',
  '?t=abc', '?t=1e400', '?signal=SIGNOPE', '?tail=-x', '?since=yesterday', '?condition=maybe', '?all=%00', '?limit=99999999999999999999',
  '?path=..%2F..%2Fetc', '?name=%2F%2F%2F', '?force=maybe&v=perhaps', '?h=-5&w=abc', '?ps_args=%00', '?stream=1&stream=0', '?%zz=%zz',
];
const malformedJson = [
  '{', '{"Image":', '[', 'nul', '{"a":1,}', "{'single': 1}", '\u0000\u0001\u0002', '{"Image":"busybox"}}', '["unterminated', '1e999x',
  '{"Image":"busybox","Image":', '\ufeff{', '{"\ud800":1', '{"Cmd":[1,2,', '}{',
];
const topLevelWrong = ['[]', '"a string"', '5', 'true', '[{"Image":"busybox"}]', '-1'];
const badVersions = ['/v1.23', '/v1.48', '/v0', '/v99.99', '/vabc', '/v1.47.1', '/v', '/v-1.47', '/v1..47', '/V1.47', '/v1.47/v1.47', '/v1.47x'];

/** Every route with a path parameter, the parameter spelled `{}`. */
const routesWithId: Array<[string, string]> = [
  ['GET', '/containers/{}/json'], ['POST', '/containers/{}/start'], ['POST', '/containers/{}/stop'], ['POST', '/containers/{}/restart'],
  ['POST', '/containers/{}/kill'], ['POST', '/containers/{}/pause'], ['POST', '/containers/{}/unpause'], ['POST', '/containers/{}/wait'],
  ['DELETE', '/containers/{}'], ['GET', '/containers/{}/logs'], ['POST', '/containers/{}/attach'], ['POST', '/containers/{}/resize'],
  ['GET', '/containers/{}/top'], ['GET', '/containers/{}/stats'], ['POST', '/containers/{}/rename'], ['POST', '/containers/{}/update'],
  ['GET', '/containers/{}/changes'], ['GET', '/containers/{}/export'], ['HEAD', '/containers/{}/archive'], ['GET', '/containers/{}/archive'],
  ['PUT', '/containers/{}/archive'], ['POST', '/containers/{}/exec'], ['POST', '/exec/{}/start'], ['POST', '/exec/{}/resize'],
  ['GET', '/exec/{}/json'], ['GET', '/images/{}/json'], ['GET', '/images/{}/history'], ['GET', '/images/{}/get'], ['POST', '/images/{}/tag'],
  ['POST', '/images/{}/push'], ['DELETE', '/images/{}'], ['GET', '/networks/{}'], ['POST', '/networks/{}/connect'],
  ['POST', '/networks/{}/disconnect'], ['DELETE', '/networks/{}'], ['GET', '/volumes/{}'], ['DELETE', '/volumes/{}'],
];
const pathsWithoutId = [
  '/containers/json', '/containers/create', '/containers/prune', '/images/json', '/images/create', '/images/load', '/images/get',
  '/images/prune', '/images/search', '/networks', '/networks/create', '/networks/prune', '/volumes', '/volumes/create', '/volumes/prune',
  '/events', '/system/df', '/auth', '/commit', '/build', '/_ping', '/version', '/info',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A value of another JSON type than `value`, which Go's decoder (and so dockerd) refuses. */
function wrongTypeFor(rng: Rng, value: Json, key: string): Json {
  if (typeof value === 'string') return rng.pick<Json>([5, true, {}, [], ['a'], -1.5]);
  if (typeof value === 'number') return rng.pick<Json>(['5', true, {}, [], 'NaN', 1.5]);
  if (typeof value === 'boolean') return rng.pick<Json>(['true', 1, {}, [], 'yes']);
  // `Cmd` and `Entrypoint` take a string as well as a list, as Go's strslice does.
  if (Array.isArray(value)) return rng.pick<Json>(key === 'Cmd' || key === 'Entrypoint' ? [5, {}, true, [1, 2], [null]] : ['x', 5, {}, true, [1]]);
  return rng.pick<Json>(['x', 5, [], true, [{}]]);
}

/** `template` with one field, at any depth, replaced by a value of the wrong type. */
function mutateField(rng: Rng, template: { [key: string]: Json }): { [key: string]: Json } {
  const copy = structuredClone(template);
  let node: { [key: string]: Json } = copy;
  for (;;) {
    const key = rng.pick(Object.keys(node));
    const value = node[key]!;
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
    if (isObject && rng.chance(0.5)) {
      node = value as { [key: string]: Json };
      continue;
    }
    node[key] = wrongTypeFor(rng, value, key);
    return copy;
  }
}

/** A body that is never valid JSON for the route: malformed, the wrong top-level type, or one field of the wrong type. */
function badJsonBody(rng: Rng, template: { [key: string]: Json }): string {
  const kind = rng.int(10);
  if (kind < 3) return rng.pick(malformedJson);
  if (kind === 3) return rng.bytes(1 + rng.int(64)).toString('latin1');
  if (kind === 4) return rng.pick(topLevelWrong);
  if (kind === 5) return `${'['.repeat(1000 + rng.int(50_000))}`;
  return JSON.stringify(mutateField(rng, template));
}

function generate(rng: Rng, world: World): FuzzRequest {
  const id = () => rng.pick(unknownIds);
  const query = () => rng.pick(garbageQueries);
  const garbageBody = () => (rng.chance(0.5) ? rng.pick([...malformedJson, ...topLevelWrong]) : rng.bytes(rng.int(200)));
  const category = rng.int(100);

  // Unknown objects on every route with a path parameter, with garbage around them.
  if (category < 28) {
    const [method, template] = rng.pick(routesWithId);
    const path = `/v1.47${template.replace('{}', id())}${query()}`;
    // `DELETE /volumes/{name}?force=1` of a missing volume is dockerd's 204 (as `docker volume rm -f`).
    const forcedVolumeRemoval = method === 'DELETE' && template.startsWith('/volumes/') && path.includes('force=');
    return { method, path, ...(method === 'GET' || method === 'HEAD' ? {} : { body: garbageBody() }), expect: forcedVolumeRemoval ? 'any' : 'error' };
  }

  // Bodies that are not what the route decodes, on real objects where the route needs one.
  if (category < 50) {
    const routes: Array<[string, { [key: string]: Json }]> = [
      ['/containers/create', { Image: 'busybox', Cmd: ['true'], Env: ['A=b'], Labels: { a: 'b' }, Tty: false, StopTimeout: 1, WorkingDir: '/', HostConfig: { Memory: 0, Binds: ['/x:/y'], RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostPort: '8080' }] } }, ExposedPorts: { '80/tcp': {} }, Healthcheck: { Test: ['NONE'], Interval: 0 } }],
      ['/networks/create', { Name: 'fuzz-created', Driver: 'bridge', Labels: { a: 'b' }, Internal: false, Attachable: false, EnableIPv6: false, IPAM: { Driver: 'default', Config: [{ Subnet: '10.251.0.0/24' }] }, Options: { a: 'b' } }],
      ['/volumes/create', { Name: 'fuzz-created', Driver: 'local', Labels: { a: 'b' }, DriverOpts: { a: 'b' } }],
      [`/containers/${world.running}/exec`, { Cmd: ['true'], AttachStdout: true, AttachStderr: true, Tty: false, Env: ['A=b'], User: 'root', WorkingDir: '/', Privileged: false }],
      [`/networks/${world.network}/connect`, { Container: world.exited, EndpointConfig: { Aliases: ['x'], IPAMConfig: { IPv4Address: '10.252.0.9' } } }],
      [`/networks/${world.network}/disconnect`, { Container: world.running, Force: false }],
      [`/containers/${world.running}/update`, { Memory: 0, CpuShares: 2, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } }],
      ['/auth', { username: 'u', password: 'p', serveraddress: '127.0.0.1:1' }],
      [`/commit?container=${world.running}&repo=fuzz-commit`, { Cmd: ['true'], Env: ['A=b'], Labels: { a: 'b' } }],
      [`/exec/${world.exec}/start`, { Detach: false, Tty: false }],
    ];
    const [path, template] = rng.pick(routes);
    return { method: 'POST', path: `/v1.47${path}`, body: badJsonBody(rng, template), headers: { 'Content-Type': 'application/json' }, expect: 'error' };
  }

  // Queries and bodies that are wrong on real objects (error), or odd but legal on read-only routes (any).
  if (category < 72) {
    const giantName = `${'n'.repeat(1000 + rng.int(3000))}!`;
    const badName = rng.pick(['', '/', 'a b', '../x', 'a/b', giantName, '%00', '-leading', '.dot']);
    // (`UPPER/case` would be valid: an upper-case first component is a registry host.)
    const badRef = rng.pick(['UPPER', 'upper/CASE', '..', 'a//b', '-x', 'a:b:c', 'name@sha256:zz', `${'r'.repeat(300)}!`, ':tag', 'a/:b']);
    const badFilter = encodeURIComponent(rng.pick(['{not-json', '{"label":5}', '{"until":["garbage"]}', '{"nope":["x"]}', '[]', '{"dangling":["maybe"]}']));
    const e = (method: string, path: string, extra: Partial<FuzzRequest> = {}): FuzzRequest => ({ method, path: `/v1.47${path}`, expect: 'error', ...extra });
    const a = (path: string): FuzzRequest => ({ method: 'GET', path: `/v1.47${path}`, expect: 'any' });
    const options: Array<() => FuzzRequest> = [
      () => e('GET', `/containers/json?filters=${badFilter}`),
      () => e('GET', `/containers/json?limit=${rng.pick(['abc', '1e400', '99999999999999999999', '1.5'])}`),
      () => a(`/containers/json?limit=-5&all=${rng.pick(['maybe', '%00', '2'])}&size=yes`),
      () => a(`/containers/${world.running}/logs?stdout=1&follow=0&tail=${rng.pick(['-5', '0', 'all', '99999', '-99999'])}&since=${rng.pick(['', '99999999999', '0', '1.5'])}&until=${rng.pick(['', '1', '-1', '0'])}&timestamps=maybe`),
      () => e('GET', `/containers/${world.running}/logs?stdout=1&follow=0&${rng.pick(['tail=abc', 'tail=1e30', 'since=garbage', 'until=tomorrow', 'tail=99999999999999999999'])}`),
      () => e('GET', `/containers/${world.running}/logs?stdout=0&stderr=0&follow=0`),
      () => a(`/containers/${world.running}/stats?stream=0&one-shot=${rng.pick(['1', 'maybe', ''])}`),
      () => a(`/containers/${world.running}/top?ps_args=${encodeURIComponent(rng.pick(['-o %$#', 'aux', '\u0000', 'x'.repeat(500)]))}`),
      () => ({ method: rng.pick(['GET', 'HEAD']), path: `/v1.47/containers/${world.running}/archive?path=${encodeURIComponent(rng.pick(['../../../../../..', '/../../..', '..']) + world.sentinelDir + '/secret')}`, expect: 'error' }),
      () => ({ method: rng.pick(['GET', 'HEAD']), path: `/v1.47/containers/${world.running}/archive?path=${encodeURIComponent(rng.pick(['../../etc', '/../etc/passwd', '/proc/self/root', '//etc//passwd', '/etc/./hostname', '/bin/../etc']))}`, expect: 'any' }),
      () => e('GET', `/containers/${world.running}/archive`),
      () => e('GET', `/images/json?filters=${badFilter}`),
      () => e('GET', `/networks?filters=${badFilter}`),
      () => e('GET', `/volumes?filters=${badFilter}`),
      () => e('GET', `/events?since=${rng.pick(['garbage', 'tomorrow', '1h-'])}&until=1`),
      () => a(`/events?since=${rng.pick(['99999999999', '1', '0.5', '10m'])}&until=1&filters=${encodeURIComponent('{"type":["container"]}')}`),
      () => e('GET', `/events?until=1&filters=${badFilter}`),
      () => a(`/system/df?type=${rng.pick(['garbage', 'container', ''])}`),
      () => e('GET', `/images/search?term=&limit=${rng.pick(['-1', 'abc'])}`),
      () => e('GET', `/images/get?names=${encodeURIComponent(id())}`),
      () => e('POST', `/containers/${world.running}/kill?signal=${rng.pick(['SIGNOPE', '999', '-1', 'SIG', 'KILLL', '65'])}`),
      () => e('POST', `/containers/${world.running}/${rng.pick(['stop', 'restart'])}?t=${rng.pick(['abc', '1.5', '1e400', '99999999999999999999', '--1'])}`),
      () => e('POST', `/containers/${world.running}/rename?name=${encodeURIComponent(badName)}`),
      () => e('POST', `/containers/${world.running}/resize?h=${rng.pick(['-5', 'abc', '1e3'])}&w=${rng.pick(['80', 'x', '-1'])}`),
      () => e('POST', `/containers/${world.running}/wait?condition=${rng.pick(['maybe', 'NOT-RUNNING', '%00'])}`),
      () => e('DELETE', `/containers/${world.exited}?link=1`),
      () => e('POST', `/${rng.pick(['containers', 'images', 'networks', 'volumes'])}/prune?filters=${badFilter}`),
      () => e('POST', `/images/${world.image}/tag?repo=${encodeURIComponent(badRef)}`),
      () => e('POST', `/images/create?fromImage=${encodeURIComponent(badRef)}`),
      () => e('POST', '/images/create'),
      () => e('POST', `/images/create?fromSrc=-&repo=fuzz-import`, { body: rng.pick(malformedJson.filter((b) => b !== '')).repeat(1 + rng.int(3)), headers: { 'Content-Type': 'application/x-tar' } }),
      () => e('POST', `/images/load?quiet=${rng.pick(['1', 'maybe'])}`, { body: garbageBody(), headers: { 'Content-Type': 'application/x-tar' } }),
      () => e('GET', `/distribution/${encodeURIComponent(badRef)}/json`),
      () => e('POST', `/commit?container=${world.running}&repo=${encodeURIComponent(badRef)}`, { body: '{}', headers: { 'Content-Type': 'application/json' } }),
      () => e('POST', `/commit?container=${encodeURIComponent(id())}&repo=fuzz-commit`, { body: '{}', headers: { 'Content-Type': 'application/json' } }),
      () => e('POST', `/containers/create?name=${encodeURIComponent(badName || '/')}`, { body: JSON.stringify({ Image: 'busybox', Cmd: ['true'] }), headers: { 'Content-Type': 'application/json' } }),
      () => e('POST', '/containers/create', { body: JSON.stringify(rng.pick([{}, { Image: '' }, { Image: 'no-such-image-fuzz:1' }, { Image: badRef }, { Image: 'busybox', HostConfig: { NetworkMode: 'no-such-network-fuzz' } }, { Image: 'busybox', HostConfig: { Binds: ['./relative:/x'] } }, { Image: 'busybox', HostConfig: { PortBindings: { 'x/tcp': [{ HostPort: 'y' }] } } }])), headers: { 'Content-Type': 'application/json' } }),
      () => e('POST', '/volumes/create', { body: JSON.stringify({ Name: badName || '/', ...(rng.chance(0.5) ? { Driver: 'no-such-driver-fuzz' } : {}) }), headers: { 'Content-Type': 'application/json' } }),
      () => e('POST', '/networks/create', { body: JSON.stringify(rng.pick([{ Name: '' }, { Name: 'fuzz-x', Driver: 'no-such-driver-fuzz' }, { Name: 'fuzz-net' }, { Name: 'fuzz-y', IPAM: { Config: [{ Subnet: rng.pick(['garbage', '10.0.0.0/99', '300.1.1.0/24', '::zz/64']) }] } }])), headers: { 'Content-Type': 'application/json' } }),
      () => e('POST', `/containers/${world.running}/exec`, { body: JSON.stringify(rng.pick([{}, { Cmd: [] }, { Cmd: null }])), headers: { 'Content-Type': 'application/json' } }),
      () => e('POST', `/containers/${world.exited}/exec`, { body: JSON.stringify({ Cmd: ['true'] }), headers: { 'Content-Type': 'application/json' } }),
      () => e('POST', `/networks/${world.network}/connect`, { body: JSON.stringify({ Container: rng.pick([id(), world.running]) }), headers: { 'Content-Type': 'application/json' } }),
    ];
    return rng.pick(options)();
  }

  // Hostile archives: climbing names, absolute names, links out of the container.
  if (category < 82) {
    const sentinel = world.sentinelDir.replace(/^\//, '');
    const climb = '../'.repeat(2 + rng.int(12));
    const variants: Array<[TarEntry[], 'error' | 'any']> = [
      [[{ name: `${climb}${sentinel}/climbed`, data: 'x' }], 'error'],
      [[{ name: `ok/${climb}${sentinel}/climbed`, data: 'x' }], 'error'],
      [[{ name: `${climb}${sentinel}/`, type: '5' }], 'error'],
      [[{ name: 'hard', type: '1', link: `${climb}${sentinel}/secret` }], 'error'],
      [[{ name: `/${sentinel}/absolute`, data: 'x' }], 'any'],
      [[{ name: 'out', type: '2', link: world.sentinelDir }, { name: 'out/through-symlink', data: 'x' }], 'any'],
      [[{ name: 'up', type: '2', link: climb.slice(0, -1) }, { name: `up/${sentinel}/through-climbing-symlink`, data: 'x' }], 'any'],
      [[{ name: 'a', type: '2', link: '..' }, { name: 'a/b', type: '2', link: '..' }, { name: `a/b/${climb}${sentinel}/chain`, data: 'x' }], 'any'],
      [[{ name: 'sec', type: '2', link: `${world.sentinelDir}/secret` }, { name: 'sec', data: 'overwritten' }], 'any'],
      [[{ name: 'hard-abs', type: '1', link: `${world.sentinelDir}/secret` }], 'error'],
    ];
    const [entries, expected] = rng.pick(variants);
    const target = rng.pick(['/tmp', '/', '/tmp/../tmp']);
    return { method: 'PUT', path: `/v1.47/containers/${world.running}/archive?path=${encodeURIComponent(target)}`, body: tarOf(entries), headers: { 'Content-Type': 'application/x-tar' }, expect: expected };
  }

  // Methods no route has, and methods on paths with unknown objects.
  if (category < 88) {
    if (rng.chance(0.5)) {
      return { method: rng.pick(['PATCH', 'OPTIONS', 'PROPFIND']), path: `/v1.47${rng.pick(pathsWithoutId)}`, expect: 'error' };
    }
    const [, template] = rng.pick(routesWithId);
    return { method: rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']), path: `/v1.47${template.replace('{}', id())}`, expect: 'error' };
  }

  // Versions dockerd refuses or does not route.
  if (category < 93) {
    return { method: 'GET', path: `${rng.pick(badVersions)}${rng.pick(['/containers/json', '/info', '/version', `/containers/${id()}/json`])}`, expect: 'error' };
  }

  // Absurd sizes: giant URLs, declared bodies that never come, bodies past the limit.
  const absurd = rng.int(6);
  if (absurd === 0) return { method: 'GET', path: `/v1.47/containers/${'g'.repeat(17_000 + rng.int(100_000))}/json`, expect: 'error' };
  if (absurd === 1) return { method: 'GET', path: `/v1.47/containers/json?filters=${'%7B'.repeat(6000 + rng.int(20_000))}`, expect: 'error' };
  if (absurd === 2) {
    const path = rng.pick(['/containers/create', '/networks/create', '/volumes/create', `/containers/${world.running}/update`]);
    return { method: 'POST', path, raw: `POST ${path} HTTP/1.1\r\nHost: berthd\r\nContent-Type: application/json\r\nContent-Length: ${rng.pick(['999999999999', '4194305', '99999999999999999999'])}\r\n\r\n{"Name":`, expect: 'error' };
  }
  if (absurd === 3) {
    return { method: 'POST', path: '/containers/create', raw: `POST /containers/create HTTP/1.1\r\nHost: berthd\r\nContent-Length: ${rng.pick(['-5', 'abc', '1, 2', '0x10'])}\r\n\r\n{}`, expect: 'error' };
  }
  if (absurd === 4 && rng.chance(0.1)) {
    // Past the 4 MiB JSON limit (rarely: it is 4 MiB on the socket each time).
    return { method: 'POST', path: '/v1.47/containers/create', body: JSON.stringify({ Image: 'busybox', Cmd: ['true'], Env: ['x'.repeat(4 * 1024 * 1024 + 10)] }), headers: { 'Content-Type': 'application/json' }, expect: 'error' };
  }
  return {
    method: 'GET',
    path: `/v1.47/containers/${world.running}/logs?stdout=1&follow=0&tail=${rng.pick(['99999999999999999999', '1e308', '-1e308'])}&since=${rng.pick(['1', '', 'x'])}`,
    expect: 'error',
  };
}

/** Sends a request the way node's client writes raw bytes, and reads one answer (status, JSON body). */
function sendRaw(socketPath: string, bytes: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const socket = connect(socketPath, () => socket.write(bytes));
    const finish = () => {
      const text = data.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return false;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text.slice(0, split))?.[1] ?? -1);
      const body = data.subarray(Buffer.byteLength(text.slice(0, split + 4), 'latin1'));
      if (length >= 0 && body.length < length) return false;
      socket.destroy();
      resolve({ status, headers: {}, body, json: () => JSON.parse(body.toString('utf8')) });
      return true;
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      finish();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (!finish()) reject(new Error(`connection closed without an answer: ${JSON.stringify(data.toString('latin1').slice(0, 100))}`));
    });
  });
}

function send(socketPath: string, request: FuzzRequest): Promise<Answer | 'hang'> {
  const answer = request.raw !== undefined ? sendRaw(socketPath, request.raw) : call(socketPath, request.method, request.path, request.body, request.headers);
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), ANSWER_WITHIN_MS);
  });
  return Promise.race([answer, hang]).finally(() => clearTimeout(timer));
}

/** What must be the same after the fuzz: every object and its state, and the host directory. */
async function snapshot(socketPath: string, world: World): Promise<Record<string, unknown>> {
  const get = async (path: string) => (await call(socketPath, 'GET', path)).json();
  const networks = (await get('/networks')) as Array<{ Id: string; Name: string }>;
  return {
    containers: ((await get('/containers/json?all=1')) as Array<{ Id: string; Names: string[]; State: string; Labels: object }>).map((c) => `${c.Id} ${c.Names.join(',')} ${c.State} ${JSON.stringify(c.Labels)}`).sort(),
    images: ((await get('/images/json?all=1')) as Array<{ Id: string; RepoTags: string[] }>).map((i) => `${i.Id} ${[...(i.RepoTags ?? [])].sort().join(',')}`).sort(),
    networks: await Promise.all(
      networks
        .map((n) => n.Id)
        .sort()
        .map(async (id) => {
          const n = await get(`/networks/${id}`);
          return `${n.Id} ${n.Name} ${Object.keys(n.Containers ?? {}).sort().join(',')}`;
        }),
    ),
    volumes: (((await get('/volumes')) as { Volumes: Array<{ Name: string }> | null }).Volumes ?? []).map((v) => v.Name).sort(),
    host: { files: (await readdir(world.sentinelDir)).sort(), secret: await readFile(join(world.sentinelDir, 'secret'), 'utf8') },
  };
}

describe('endpoint fuzz (memory engine)', () => {
  let d: ServedEngine;
  let sentinel: { path: string; remove: () => Promise<void> };
  let world: World;

  beforeAll(async () => {
    d = await startDaemon();
    sentinel = await makeTempDir('berth-fuzz-host');
    await writeFile(join(sentinel.path, 'secret'), 'host secret\n');
    const post = async (path: string, body?: unknown) => {
      const answer = await call(d.socketPath, 'POST', path, body);
      expect(answer.status, `${path}: ${answer.body}`).toBeLessThan(300);
      return answer.body.length > 0 ? answer.json() : undefined;
    };
    const network = (await post('/networks/create', { Name: 'fuzz-net', Labels: { fuzz: '1' } })).Id as string;
    await post('/volumes/create', { Name: 'fuzz-vol' });
    const running = (await post('/containers/create?name=fuzz-running', { Image: 'busybox', Cmd: ['sleep', '100000'], Labels: { fuzz: '1' } })).Id as string;
    await post(`/containers/${running}/start`);
    await post(`/networks/${network}/connect`, { Container: running });
    const exited = (await post('/containers/create?name=fuzz-exited', { Image: 'busybox', Cmd: ['true'] })).Id as string;
    await post(`/containers/${exited}/start`);
    await post(`/containers/${exited}/wait`);
    const exec = (await post(`/containers/${running}/exec`, { Cmd: ['true'] })).Id as string;
    await call(d.socketPath, 'POST', '/images/busybox:latest/tag?repo=fuzz-image&tag=1');
    world = { running, exited, network, exec, image: 'fuzz-image:1', sentinelDir: sentinel.path };
  });

  afterAll(async () => {
    await d?.dispose();
    await sentinel?.remove();
  });

  it(`answers ${COUNT} bad requests (seed ${SEED}) with 4xx JSON messages, and nothing changes`, async () => {
    const before = await snapshot(d.socketPath, world);
    const rng = new Rng(SEED);
    const requests = Array.from({ length: COUNT }, () => generate(rng, world));
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const index = next++;
        const request = requests[index]!;
        const where = `#${index} ${request.method} ${request.path.slice(0, 160)}${request.body !== undefined ? ` body=${JSON.stringify(String(request.body).slice(0, 80))}` : ''}${request.raw ? ` raw=${JSON.stringify(request.raw.slice(0, 120))}` : ''}`;
        let answer: Answer | 'hang';
        try {
          answer = await send(d.socketPath, request);
        } catch (err) {
          failures.push(`${where} → transport error ${(err as Error).message}`);
          continue;
        }
        if (answer === 'hang') {
          failures.push(`${where} → no answer within ${ANSWER_WITHIN_MS} ms`);
          continue;
        }
        const { status } = answer;
        if (status >= 500 && status !== 501) failures.push(`${where} → ${status} ${answer.body.toString().slice(0, 200)}`);
        else if (request.expect === 'error' && status < 400) failures.push(`${where} → ${status}, not an error${process.env['BERTH_FUZZ_VERBOSE'] ? ` ${String(request.body)}` : ''}`);
        if (status >= 400 && request.method !== 'HEAD') {
          let message: unknown;
          try {
            message = answer.json().message;
          } catch {
            message = undefined;
          }
          if (typeof message !== 'string' || message.trim() === '') failures.push(`${where} → ${status} without a JSON message: ${JSON.stringify(answer.body.toString().slice(0, 120))}`);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(failures.slice(0, 40), `${failures.length} failures with seed ${SEED}`).toEqual([]);

    expect((await call(d.socketPath, 'GET', '/_ping')).body.toString()).toBe('OK');
    expect(await snapshot(d.socketPath, world)).toEqual(before);
    expect((await call(d.socketPath, 'GET', `/containers/${world.running}/json`)).json().State.Running).toBe(true);
  }, 120_000);
});
