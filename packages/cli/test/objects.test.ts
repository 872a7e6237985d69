import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxImage } from '@berth/image/testing';
import { type Engine, createMemoryEngine } from '@berth/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { berth } from './cli-harness.js';

describe('berth images, networks, volumes, system (memory engine)', () => {
  let engine: Engine;
  let dir: string;

  beforeEach(async () => {
    engine = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
    dir = await mkdtemp(join(tmpdir(), 'berth-cli-test-'));
  });
  afterEach(async () => {
    for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('images lists one row per tag with docker columns; tag and rmi', async () => {
    expect((await berth(engine, ['tag', 'busybox', 'mine:v1'])).status).toBe(0);
    const images = await berth(engine, ['images']);
    const lines = images.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/).slice(0, 2).join(':')).sort()).toEqual(['busybox:latest', 'mine:v1']);
    expect(lines[1]).toMatch(/\s[0-9a-f]{12}\s/);
    expect((await berth(engine, ['images', '-q'])).stdout.trimEnd().split('\n')).toHaveLength(1);
    expect((await berth(engine, ['images', '--format', '{{.Repository}}:{{.Tag}}', 'mine'])).stdout).toBe('mine:v1\n');
    expect((await berth(engine, ['rmi', 'mine:v1'])).stdout).toBe('Untagged: mine:v1\n');
    const missing = await berth(engine, ['rmi', 'ghost:1']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^Error response from daemon: No such image: ghost:1/);
  });

  it('image inspect and save/load round trip through a file', async () => {
    expect((await berth(engine, ['image', 'inspect', '-f', '{{.Os}}', 'busybox'])).stdout).toBe('linux\n');
    const archive = join(dir, 'busybox.tar');
    expect((await berth(engine, ['save', '-o', archive, 'busybox'])).status).toBe(0);
    expect((await readFile(archive)).length).toBeGreaterThan(0);
    await berth(engine, ['rmi', 'busybox']);
    const loaded = await berth(engine, ['load', '-i', archive]);
    expect(loaded).toMatchObject({ status: 0, stdout: 'Loaded image: busybox:latest\n' });
  });

  it('network create, ls, inspect, connect, rm', async () => {
    const created = await berth(engine, ['network', 'create', '--label', 'team=a', 'backend']);
    expect(created.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const ls = await berth(engine, ['network', 'ls']);
    expect(ls.stdout.split('\n')[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
    expect((await berth(engine, ['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n').filter(Boolean).sort()).toEqual(['backend', 'bridge', 'host', 'none']);
    expect((await berth(engine, ['network', 'ls', '-f', 'label=team=a', '-q'])).stdout).toBe(`${created.stdout.slice(0, 12)}\n`);
    expect((await berth(engine, ['network', 'inspect', '-f', '{{.Name}} {{index .Labels "team"}}', 'backend'])).stdout).toBe('backend a\n');
    await berth(engine, ['run', '-d', '--name', 'svc', 'busybox', 'sleep', '1000']);
    expect((await berth(engine, ['network', 'connect', 'backend', 'svc'])).status).toBe(0);
    const inUse = await berth(engine, ['network', 'rm', 'backend']);
    expect(inUse.status).toBe(1);
    await berth(engine, ['network', 'disconnect', 'backend', 'svc']);
    expect(await berth(engine, ['network', 'rm', 'backend'])).toMatchObject({ status: 0, stdout: 'backend\n' });
  });

  it('volume create, ls, inspect, rm and prune with -f', async () => {
    expect((await berth(engine, ['volume', 'create', 'data'])).stdout).toBe('data\n');
    const ls = await berth(engine, ['volume', 'ls']);
    expect(ls.stdout).toMatch(/^DRIVER\s+VOLUME NAME\nlocal\s+data\n$/);
    expect((await berth(engine, ['volume', 'inspect', '--format', '{{.Driver}}', 'data'])).stdout).toBe('local\n');
    expect((await berth(engine, ['volume', 'rm', 'data'])).stdout).toBe('data\n');
    await berth(engine, ['volume', 'create', 'scratch']);
    const pruned = await berth(engine, ['volume', 'prune', '-a', '-f']);
    expect(pruned.stdout).toMatch(/Deleted Volumes:\nscratch\n/);
    expect(pruned.stdout).toMatch(/Total reclaimed space: /);
  });

  it('prune without -f asks and does nothing on no', async () => {
    await berth(engine, ['volume', 'create', 'keepme']);
    const answered = await berth(engine, ['volume', 'prune', '-a'], { stdin: 'n\n' });
    expect(answered.stdout).toMatch(/Are you sure you want to continue\? \[y\/N\] $/);
    expect((await engine.volumes.list()).volumes.map((v) => v.name)).toEqual(['keepme']);
  });

  it('version and info, plain and with --format', async () => {
    const version = await berth(engine, ['version']);
    expect(version.stdout).toMatch(/^Client:\n Version: +0\.1\.0/);
    expect(version.stdout).toMatch(/Server: Berth Engine/);
    expect((await berth(engine, ['version', '--format', '{{.Server.ApiVersion}}'])).stdout).toMatch(/^1\.\d+\n$/);
    expect((await berth(engine, ['info'])).stdout).toMatch(/ Images: 1\n/);
    expect((await berth(engine, ['system', 'info', '--format', '{{.Images}} {{.Driver}}'])).stdout).toBe('1 copy\n');
    expect((await berth(engine, ['--version'])).stdout).toBe('Berth version 0.1.0\n');
  });

  it('system df and events --until', async () => {
    const df = await berth(engine, ['system', 'df']);
    expect(df.stdout.split('\n')[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    const since = new Date(Date.now() - 1000).toISOString();
    await berth(engine, ['create', '--name', 'evt', 'busybox', 'true']);
    const until = new Date(Date.now() + 1).toISOString();
    const events = await berth(engine, ['events', '--since', since, '--until', until, '-f', 'type=container', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
    expect(events.stdout).toBe('container create evt\n');
  });

  it('help, unknown commands and global -H', async () => {
    expect((await berth(engine, ['--help'])).stdout).toMatch(/Management Commands:\n(.|\n)*network/);
    const runHelp = await berth(engine, ['run', '--help']);
    expect(runHelp.stdout).toMatch(/^Usage:  berth run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]/);
    expect(runHelp.stdout).toMatch(/-p, --publish list/);
    expect((await berth(engine, ['network'])).stdout).toMatch(/Commands:\n  connect/);
    expect(await berth(engine, ['frobnicate'])).toMatchObject({ status: 1, stderr: "berth: 'frobnicate' is not a berth command.\nSee 'berth --help'\n" });
    expect((await berth(engine, ['-H', 'unix:///nowhere', 'ps', '-q'])).status).toBe(0);
    expect((await berth(engine, ['ps', 'extra'])).stderr).toMatch(/"berth ps" accepts no arguments/);
  });
});
