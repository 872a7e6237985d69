import { busyboxImage } from '@berth/image/testing';
import { type MemoryRegistryServer, startMemoryRegistry } from '@berth/registry-client/testing';
import { type Engine, createMemoryEngine } from '@berth/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { berth } from './cli-harness.js';

describe('berth pull, push and run through a registry', () => {
  let server: MemoryRegistryServer;
  let source: Engine;
  let target: Engine;
  let reference: string;

  beforeEach(async () => {
    server = await startMemoryRegistry();
    source = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
    target = await createMemoryEngine();
    reference = `${server.host}/cli/busybox:1`;
    await berth(source, ['tag', 'busybox', reference]);
    const pushed = await berth(source, ['push', reference]);
    expect(pushed.status).toBe(0);
    expect(pushed.stdout).toContain(`The push refers to repository [${server.host}/cli/busybox]`);
    expect(pushed.stdout).toMatch(/: Pushed\n/);
    expect(pushed.stdout).toMatch(/\n1: digest: sha256:[0-9a-f]{64} size: \d+\n$/);
  });
  afterEach(async () => {
    for (const c of await target.containers.list({ all: true })) await target.containers.remove(c.id, { force: true }).catch(() => undefined);
    await source.close();
    await target.close();
    await server.close();
  });

  it('pull on a pipe prints docker-style state lines, no bars, then digest and status', async () => {
    const pulled = await berth(target, ['pull', reference]);
    expect(pulled.status).toBe(0);
    const lines = pulled.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`1: Pulling from ${server.host}/cli/busybox`);
    expect(lines).toContainEqual(expect.stringMatching(/^[0-9a-f]{12}: Pull complete$/));
    expect(pulled.stdout).not.toContain('\x1b[');
    expect(pulled.stdout).not.toContain('[=');
    expect(lines.at(-3)).toMatch(/^Digest: sha256:[0-9a-f]{64}$/);
    expect(lines.at(-2)).toBe(`Status: Downloaded newer image for ${reference}`);
    expect(lines.at(-1)).toBe(reference);
    const again = await berth(target, ['pull', '-q', reference]);
    expect(again.stdout).toBe(`${reference}\n`);
  });

  it('pull on a terminal redraws layer lines in place', async () => {
    const pulled = await berth(target, ['pull', reference], { tty: true });
    expect(pulled.status).toBe(0);
    expect(pulled.stdout).toContain('\x1b[2K');
    expect(pulled.stdout).toMatch(/Pull complete/);
  });

  it('run pulls a missing image first, with the notice on stderr', async () => {
    const ran = await berth(target, ['run', '--rm', reference, 'echo', 'pulled and ran']);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toBe('pulled and ran\n');
    expect(ran.stderr).toMatch(new RegExp(`^Unable to find image '${reference.replaceAll('.', '\\.')}' locally\n`));
    expect(ran.stderr).toContain(`Status: Downloaded newer image for ${reference}`);
  });

  it('run --pull never with a missing image fails with 125', async () => {
    const ran = await berth(target, ['run', '--pull', 'never', reference, 'true']);
    expect(ran.status).toBe(125);
    expect(ran.stderr).toMatch(/^berth: Error response from daemon: No such image/);
  });

  it('pull of an unknown repository is status 1', async () => {
    const missing = await berth(target, ['pull', `${server.host}/cli/absent:1`]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^Error response from daemon: /);
  });
});
