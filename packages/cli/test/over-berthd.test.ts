import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type DaemonServer, serveEngine } from '@berth/daemon';
import { type Engine, createMemoryEngine } from '@berth/engine';
import { busyboxImage } from '@berth/image/testing';
import { runCli } from '@berth/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Runs berth as a user would: connecting to berthd through `-H`, not in-process. */
async function berthOverSocket(host: string, argv: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer, _e, cb) {
        out[key] += chunk.toString();
        cb();
      },
    });
  const status = await runCli(['-H', host, ...argv], { stdout: sink('stdout'), stderr: sink('stderr'), env: {} });
  return { status, ...out };
}

describe('berth over berthd (engine-client → daemon → memory engine)', () => {
  let engine: Engine;
  let daemon: DaemonServer;
  let dir: string;
  let host: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-cli-daemon-'));
    engine = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
    daemon = await serveEngine(engine, { listeners: [{ type: 'unix', path: join(dir, 'berth.sock') }] });
    host = `unix://${join(dir, 'berth.sock')}`;
  });
  afterAll(async () => {
    await daemon?.close();
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a container and returns its output and status', async () => {
    expect(await berthOverSocket(host, ['run', '--rm', 'busybox', 'echo', 'over the wire'])).toMatchObject({ status: 0, stdout: 'over the wire\n' });
    expect((await berthOverSocket(host, ['run', '--rm', 'busybox', 'sh', '-c', 'exit 5'])).status).toBe(5);
    expect((await berthOverSocket(host, ['run', '--rm', 'busybox', 'not-a-program'])).status).toBe(127);
  });

  it('lists images and reports daemon errors with status 1', async () => {
    expect((await berthOverSocket(host, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout).toBe('busybox:latest\n');
    expect(await berthOverSocket(host, ['rm', 'ghost-container'])).toMatchObject({ status: 1, stderr: 'Error response from daemon: No such container: ghost-container\n' });
  });

  it('cannot connect: status 1 and a message naming the address', async () => {
    const result = await berthOverSocket(`unix://${join(dir, 'absent.sock')}`, ['ps']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/absent\.sock/);
  });
});
