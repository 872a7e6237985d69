import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyboxImage } from '@berth/image/testing';
import { type Engine, createMemoryEngine } from '@berth/engine';
import { commandReference } from '@berth/cli';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { berth } from './cli-harness.js';

describe('more berth commands (memory engine)', () => {
  let engine: Engine;
  let dir: string;

  beforeEach(async () => {
    engine = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
    dir = await mkdtemp(join(tmpdir(), 'berth-cli-more-'));
  });
  afterEach(async () => {
    for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('start -a returns the status of the new run and prints only its output', async () => {
    await berth(engine, ['create', '--name', 'again', 'busybox', 'sh', '-c', 'echo run; exit 2']);
    expect(await berth(engine, ['start', '-a', 'again'])).toMatchObject({ status: 2, stdout: 'run\n' });
    expect(await berth(engine, ['start', '-a', 'again'])).toMatchObject({ status: 2, stdout: 'run\n' });
    expect(await berth(engine, ['start', 'again'])).toMatchObject({ status: 0, stdout: 'again\n' });
  });

  it('stats --no-stream prints one table', async () => {
    await berth(engine, ['run', '-d', '--name', 'st', 'busybox', 'sleep', '1000']);
    const stats = await berth(engine, ['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}']);
    expect(stats.status).toBe(0);
    expect(stats.stdout).toMatch(/^st \d+\n$/);
  });

  it('cp copies a host file into a container and back out under a new name', async () => {
    await berth(engine, ['run', '-d', '--name', 'cpbox', 'busybox', 'sleep', '1000']);
    await writeFile(join(dir, 'note.txt'), 'copied\n');
    expect(await berth(engine, ['cp', join(dir, 'note.txt'), 'cpbox:/'])).toMatchObject({ status: 0, stderr: '' });
    expect((await berth(engine, ['cp', join(dir, 'note.txt'), 'cpbox:/no-such-dir/'])).status).toBe(1);
    await mkdir(join(dir, 'out'));
    const back = await berth(engine, ['cp', 'cpbox:/note.txt', join(dir, 'out', 'renamed.txt')]);
    expect(back).toMatchObject({ status: 0, stderr: '' });
    expect(await readFile(join(dir, 'out', 'renamed.txt'), 'utf8')).toBe('copied\n');
  });

  // The engine reads the archive only once it holds the container; a small tar may have
  // exited by then, and Node drops the output of a finished child that nobody listens to.
  it('cp into a container keeps the archive when the engine starts reading it late', async () => {
    await berth(engine, ['run', '-d', '--name', 'latebox', 'busybox', 'sleep', '1000']);
    const containers = new Proxy(engine.containers, {
      get(target, property, receiver) {
        if (property !== 'putArchive') return Reflect.get(target, property, receiver) as unknown;
        return async (...args: Parameters<Engine['containers']['putArchive']>) => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          return target.putArchive(...args);
        };
      },
    });
    const late = new Proxy(engine, { get: (target, property, receiver) => (property === 'containers' ? containers : Reflect.get(target, property, receiver)) as unknown });
    await writeFile(join(dir, 'late.txt'), 'late\n');
    expect(await berth(late, ['cp', join(dir, 'late.txt'), 'latebox:/'])).toMatchObject({ status: 0, stderr: '' });
    expect((await engine.containers.statPath('latebox', '/late.txt')).size).toBe(5);
  });

  it('commit makes an image with --change; export -o writes a tar; history lists layers', async () => {
    await berth(engine, ['create', '--name', 'base', 'busybox', 'true']);
    const committed = await berth(engine, ['commit', '-c', 'ENV MODE=prod', 'base', 'snap:1']);
    expect(committed.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await berth(engine, ['image', 'inspect', '-f', '{{json .Config.Env}}', 'snap:1'])).stdout).toContain('MODE=prod');
    expect((await berth(engine, ['export', '-o', join(dir, 'fs.tar'), 'base'])).status).toBe(0);
    expect((await readFile(join(dir, 'fs.tar'))).length).toBeGreaterThan(1024);
    const history = await berth(engine, ['history', 'snap:1']);
    expect(history.stdout.split('\n')[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
  });

  it('login stores credentials in DOCKER_CONFIG; logout removes them', async () => {
    const env = { DOCKER_CONFIG: dir };
    expect(await berth(engine, ['login', '-u', 'me', '--password-stdin', 'registry.example:5000'], { env, stdin: 'secret\n' })).toMatchObject({ status: 0, stdout: 'Login Succeeded\n' });
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(config.auths['registry.example:5000']!.auth, 'base64').toString()).toBe('me:secret');
    expect((await berth(engine, ['logout', 'registry.example:5000'], { env })).stdout).toBe('Removing login credentials for registry.example:5000\n');
  });
});

describe('generated command reference', () => {
  it('docs/cli matches the command definitions (regenerate with packages/cli/scripts/generate-cli-docs.ts)', async () => {
    const docs = fileURLToPath(new URL('../../../docs/cli/', import.meta.url));
    for (const page of commandReference()) expect(await readFile(join(docs, page.file), 'utf8'), page.file).toBe(page.markdown);
  });
});
