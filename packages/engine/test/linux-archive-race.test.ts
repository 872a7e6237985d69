import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tarOf } from '@berth/image/testing';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '@berth/engine';
import { type LinuxEngineRoots, disposeLinuxEngine, linuxEngineRoots, loadBusybox, openLinuxEngine, removeStateRoot } from './support/linux-engine-fixture.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/**
 * A container shell loop that keeps swapping `path` between a directory and a symlink to
 * `hostPath` — an absolute path that means the host's directory only when followed from
 * the host, which is what an archive copy racing the swap would do (CVE-2018-15664).
 * Renames only, so each swap is as quick as busybox can make it; a directory most of the time.
 */
function swapLoop(path: string, hostPath: string, setup = ''): string[] {
  return [
    'sh',
    '-c',
    `mkdir -p ${path}; ${setup} ln -s ${hostPath} ${path}.link; ` +
      `while true; do usleep 300; mv ${path} ${path}.dir; mv ${path}.link ${path}; mv ${path} ${path}.link; mv ${path}.dir ${path}; done`,
  ];
}

// The engine freezes a running container while an archive is written or read: its processes
// cannot swap a checked directory for a symlink between the check and the write or read.
describeIntegration('linux engine: archive copies against a racing container', { root: true, commands: ['runc', 'conmon'] }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  let roots: LinuxEngineRoots;
  let engine: Engine;
  let hostTarget: string;

  beforeAll(async () => {
    dir = await makeTempDir('berth-archive-race');
    roots = linuxEngineRoots(dir.path);
    engine = await openLinuxEngine(roots);
    await loadBusybox(engine, dir.path);
    // Outside the engine's roots: a plain host directory the container's links point at.
    hostTarget = await mkdtemp('/tmp/bt-race-target-');
  });

  afterAll(async () => {
    await disposeLinuxEngine(engine);
    if (roots) await removeStateRoot(roots);
    await dir?.remove();
    if (hostTarget) await rm(hostTarget, { recursive: true, force: true });
  });

  it('writes every member inside the container, never through a link swapped in meanwhile', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: swapLoop('/tmp/dir', hostTarget) });
    await engine.containers.start(id);
    // Many members per upload: each one is a check of /tmp/dir and then a write under it.
    // Unfrozen, a write lands on the host within a few uploads; the bounds only cap the time.
    let written = 0;
    const deadline = Date.now() + 3_000;
    for (let round = 0; round < 40 && Date.now() < deadline; round += 1) {
      const members = Array.from({ length: 50 }, (_, index) => ({ type: 'file' as const, path: `f-${round}-${index}`, content: 'x' }));
      const upload = await readAll(tarOf(members)());
      // Refused when the link is in place at the start (it leads nowhere inside the container).
      await engine.containers.putArchive(id, '/tmp/dir', Readable.from([upload])).then(
        () => (written += 1),
        () => undefined,
      );
    }
    expect(written).toBeGreaterThan(0);
    expect(await readdir(hostTarget)).toEqual([]);
    expect((await engine.containers.inspect(id)).state.status).toBe('running');
    await engine.containers.remove(id, { force: true });
  });

  it('reads only the container’s files, never the host’s through a link swapped in meanwhile', async () => {
    const secretDir = await mkdtemp('/tmp/bt-race-secret-');
    try {
      await writeFile(`${secretDir}/secret`, 'host secret\n');
      const setup = `echo inside > /tmp/rdir/secret;`;
      const { id } = await engine.containers.create({ image: 'busybox', cmd: swapLoop('/tmp/rdir', secretDir, setup) });
      await engine.containers.start(id);
      let read = 0;
      const deadline = Date.now() + 2_500;
      for (let round = 0; round < 40 && Date.now() < deadline; round += 1) {
        const copied = await engine.containers.getArchive(id, '/tmp/rdir/secret').catch(() => undefined);
        if (!copied) continue;
        const bytes = await readAll(copied.archive).catch(() => Buffer.alloc(0));
        expect(bytes.includes(Buffer.from('host secret'))).toBe(false);
        if (bytes.includes(Buffer.from('inside'))) read += 1;
      }
      expect(read).toBeGreaterThan(0);
      await engine.containers.remove(id, { force: true });
    } finally {
      await rm(secretDir, { recursive: true, force: true });
    }
  });
});
