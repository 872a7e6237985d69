import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DaemonServer, serveEngine } from '@berth/daemon';
import { type Engine, createMemoryEngine } from '@berth/engine';
import { busyboxImage } from '@berth/image/testing';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const berthEntry = fileURLToPath(new URL('../src/berth.ts', import.meta.url));

/** `berth ARGS` as a separate process on a fresh pseudo-terminal (util-linux `script`). */
function berthOnPty(host: string, args: readonly string[]): { child: ChildProcess; output: () => string; exited: Promise<number> } {
  const command = [process.execPath, '--import', 'tsx', '--conditions=@berth/source', berthEntry, '-H', host, ...args].map((word) => `'${word}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('../../..', import.meta.url)) });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  return { child, output: () => text, exited };
}

describeIntegration('berth -it on a real terminal', { commands: ['script'] }, () => {
  let engine: Engine;
  let daemon: DaemonServer;
  let cleanup: () => Promise<void>;
  let host: string;

  beforeAll(async () => {
    const temp = await makeTempDir('berth-cli-tty');
    engine = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
    daemon = await serveEngine(engine, { listeners: [{ type: 'unix', path: join(temp.path, 'berth.sock') }] });
    host = `unix://${join(temp.path, 'berth.sock')}`;
    cleanup = temp.remove;
  });
  afterAll(async () => {
    for (const c of (await engine?.containers.list({ all: true })) ?? []) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await daemon?.close();
    await engine?.close();
    await cleanup?.();
  });

  it('returns the container status through a terminal session', async () => {
    const run = berthOnPty(host, ['run', '-it', '--rm', 'busybox', 'sh', '-c', 'echo in-tty; exit 3']);
    run.child.stdin!.end();
    expect(await run.exited).toBe(3);
    expect(run.output()).toContain('in-tty');
  });

  it('puts the local terminal in raw mode: typed keys reach the container without a local echo', async () => {
    const run = berthOnPty(host, ['run', '-it', '--name', 'tty-cat', 'busybox', 'cat']);
    try {
      // Type only once the container runs and has our stdin (its attach event), so the local line discipline is already raw.
      const controller = new AbortController();
      for await (const event of engine.events({ since: new Date(0), filters: { container: ['tty-cat'], event: ['attach'] }, signal: controller.signal })) {
        void event;
        controller.abort();
      }
      // berth sets raw mode right after its attach returns; give it that moment (a late raw mode would fail the echo check, not pass it).
      await new Promise((resolve) => setTimeout(resolve, 500));
      run.child.stdin!.write('typed-text\n');
      while (!run.output().includes('typed-text')) await new Promise((resolve) => setTimeout(resolve, 50));
      await engine.containers.kill('tty-cat', 'SIGKILL');
      // `script` runs until its own input ends, even after berth exits.
      run.child.stdin!.end();
      expect(await run.exited).toBe(137);
      expect(run.output().split('typed-text').length - 1).toBe(1);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  /** Waits until the container named `name` has an attach event, i.e. berth holds its stdin. */
  async function attached(name: string, since: Date): Promise<void> {
    const controller = new AbortController();
    for await (const event of engine.events({ since, filters: { container: [name], event: ['attach'] }, signal: controller.signal })) {
      void event;
      controller.abort();
    }
  }

  it('detaches from run -it on ctrl-p ctrl-q, leaving the container running; attach detaches with status 1', async () => {
    const name = 'tty-detach';
    const since = new Date();
    const run = berthOnPty(host, ['run', '-it', '--name', name, 'busybox', 'cat']);
    try {
      await attached(name, since);
      await new Promise((resolve) => setTimeout(resolve, 500)); // raw mode follows the attach
      run.child.stdin!.write('before-detach\n');
      while (!run.output().includes('before-detach')) await new Promise((resolve) => setTimeout(resolve, 50));
      run.child.stdin!.write('\x10\x11');
      // berth ends by itself on the keys (\`script\` then reports its status).

      expect(await run.exited).toBe(0);
      expect((await engine.containers.inspect(name)).state.status).toBe('running');
    } finally {
      run.child.kill('SIGKILL');
    }

    const sinceAttach = new Date();
    const attach = berthOnPty(host, ['attach', '--detach-keys', 'ctrl-a,x', name]);
    try {
      await attached(name, sinceAttach);
      await new Promise((resolve) => setTimeout(resolve, 500));
      attach.child.stdin!.write('\x01x');
      attach.child.stdin!.end();
      expect(await attach.exited).toBe(1);
      expect(attach.output()).toContain('read escape sequence');
      expect((await engine.containers.inspect(name)).state.status).toBe('running');
    } finally {
      attach.child.kill('SIGKILL');
      await engine.containers.remove(name, { force: true });
    }
  });
});
