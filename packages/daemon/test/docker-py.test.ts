import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, createEngine, createMemoryEngine } from '@berth/engine';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { createHostDriver, createLinuxHostNet, createMemoryDriver, createNoneDriver } from '@berth/network';
import { describeIntegration, type DockerRegistry, startDockerRegistry } from '@berth/testkit';
import { type DaemonServer, serveEngine } from '@berth/daemon';

// docker-py (Debian's python3-docker) is the Python client people already use. The smoke steps
// live in python/docker_py_smoke.py; this file serves berthd, runs the script, and reads its verdicts.
// Debian's interpreter, by path: a `python3` earlier on PATH (pyenv) may carry another docker-py
// (BERTH_PYTHON picks one, e.g. to try a newer docker-py).
const python = process.env['BERTH_PYTHON'] ?? '/usr/bin/python3';

const script = fileURLToPath(new URL('./python/docker_py_smoke.py', import.meta.url));
const steps = [
  'negotiates_the_api_version',
  'loads_pushes_and_pulls',
  'runs_waits_and_reads_logs_apart',
  'execs_with_exit_codes',
  'feeds_stdin_through_a_stdin_only_attach_socket',
  'creates_connects_and_removes_networks',
  'creates_lists_and_removes_volumes',
  'streams_events_with_decode_and_until',
];

function hasDockerPy(): boolean {
  try {
    execFileSync(python, ['-c', 'import docker'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs the script against `socketPath`; resolves with its `PASS`/`FAIL` lines whatever its exit. */
function runSmoke(socketPath: string, busyboxTar: string, registry: string): Promise<{ code: number; lines: string[]; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      python,
      [script],
      {
        env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, BUSYBOX_TAR: busyboxTar, REGISTRY: registry, TAG: randomBytes(3).toString('hex') },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, lines: stdout.split('\n').filter((line) => /^(PASS|FAIL) /.test(line)), stderr });
      },
    );
  });
}

/** Each step passed (a failing one shows its Python traceback in the diff). */
function expectAllPassed(result: { code: number; lines: string[]; stderr: string }): void {
  expect(result.lines.filter((line) => line.startsWith('FAIL')), result.stderr).toEqual([]);
  expect(result.lines).toEqual(steps.map((step) => `PASS ${step}`));
  expect(result.code).toBe(0);
}

describe.skipIf(!hasDockerPy())('docker-py against berthd (memory engine)', () => {
  let dir: string;
  let server: DaemonServer;
  let registry: DockerRegistry;
  let socketPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berthd-docker-py-'));
    registry = await startDockerRegistry({ dir: join(dir, 'registry') });
    socketPath = join(dir, 'berthd.sock');
    server = await serveEngine(await createMemoryEngine(), { listeners: [{ type: 'unix', path: socketPath }], closeEngine: true, shutdownTimeoutMs: 2000 });
    await writeDockerArchive(join(dir, 'busybox.tar'), [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
  });

  afterAll(async () => {
    await server?.close();
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pull, run/wait/logs, exec, networks, volumes and events all pass', async () => {
    expectAllPassed(await runSmoke(socketPath, join(dir, 'busybox.tar'), registry.host));
  }, 150_000);
});

// The real engine (runc under conmon, overlayfs); the memory network driver stands in for `bridge`.
describeIntegration('docker-py against berthd (linux engine)', { root: true, commands: ['runc', 'conmon', 'docker-registry'] }, () => {
  let dir: string;
  let stateRoot: string;
  let engine: Engine;
  let server: DaemonServer;
  let registry: DockerRegistry;
  let socketPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berthd-docker-py-linux-'));
    stateRoot = `/run/bd-${randomBytes(4).toString('hex')}`;
    registry = await startDockerRegistry({ dir: join(dir, 'registry') });
    socketPath = join(dir, 'd.sock');
    engine = await createEngine({
      dataRoot: join(dir, 'data'),
      stateRoot,
      networkDrivers: [createMemoryDriver({ type: 'bridge' }), createHostDriver(), createNoneDriver()],
      hostNet: createLinuxHostNet(),
    });
    server = await serveEngine(engine, { listeners: [{ type: 'unix', path: socketPath }], closeEngine: true });
    await writeDockerArchive(join(dir, 'busybox.tar'), [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
  });

  afterAll(async () => {
    if (server) {
      for (const container of await engine.containers.list({ all: true }).catch(() => [])) {
        await engine.containers.remove(container.id, { force: true }).catch(() => undefined);
      }
      await server.close();
    }
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (stateRoot) await rm(stateRoot, { recursive: true, force: true });
  });

  it.skipIf(!hasDockerPy())('pull, run/wait/logs, exec, networks, volumes and events all pass', async () => {
    expectAllPassed(await runSmoke(socketPath, join(dir, 'busybox.tar'), registry.host));
  }, 150_000);
});
