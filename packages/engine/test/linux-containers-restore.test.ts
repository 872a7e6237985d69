import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '@berth/engine';
import {
  type LinuxEngineRoots,
  disposeLinuxEngine,
  engineLeftovers,
  execIn,
  linuxEngineRoots,
  noLeftovers,
  openLinuxEngine,
  removeStateRoot,
} from './support/linux-engine-fixture.js';

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const childScript = join(packageDir, 'test', 'support', 'linux-engine-restore-child.ts');

interface ChildContainers {
  running: string;
  dying: string;
  restarting: string;
}

/** Starts the child engine; resolves with the IDs it printed. */
function startChild(roots: LinuxEngineRoots, workDir: string, triggerDir: string): { child: ChildProcess; ids: Promise<ChildContainers> } {
  const child = spawn(
    process.execPath,
    ['--conditions=@berth/source', '--import', 'tsx', childScript, roots.dataRoot, roots.stateRoot, workDir, triggerDir],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const ids = new Promise<ChildContainers>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as ChildContainers));
    child.once('exit', (code, signal) => reject(new Error(`engine child exited (${code ?? signal}) before reporting: ${stderr}`)));
  });
  return { child, ids };
}

/** Whether runc still runs container `id` (as opposed to stopped or gone). */
async function runcStatus(roots: LinuxEngineRoots, id: string): Promise<string> {
  try {
    const { stdout } = await run('runc', ['--root', join(roots.stateRoot, 'runtime', 'runc'), 'state', id]);
    return (JSON.parse(stdout) as { status: string }).status;
  } catch {
    return 'gone';
  }
}

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Live restore on the real engine: an engine process is SIGKILLed with containers running;
// a new engine on the same roots adopts what still runs, records what died meanwhile,
// restarts what its policy says, and removing everything leaves nothing on the host.
describeIntegration('linux engine: live restore after a crash', { root: true, commands: ['runc', 'conmon'] }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  let roots: LinuxEngineRoots;
  let child: ChildProcess | undefined;
  let engine: Engine | undefined;
  let ids: ChildContainers;

  beforeAll(async () => {
    dir = await makeTempDir('berth-linux-restore');
    roots = linuxEngineRoots(dir.path);
    const triggerDir = join(dir.path, 'trigger');
    await mkdir(triggerDir);
    const started = startChild(roots, dir.path, triggerDir);
    child = started.child;
    ids = await started.ids;
    const killed = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await killed;
    // While no engine watches: one container exits, the `always` one fails.
    await writeFile(join(triggerDir, 'exit'), '');
    await writeFile(join(triggerDir, 'fail'), '');
    await eventually('the containers to exit', async () => {
      const statuses = await Promise.all([runcStatus(roots, ids.dying), runcStatus(roots, ids.restarting)]);
      // Gone: conmon wrote the exit down and had runc forget the container (its exit command).
      return statuses.every((status) => status === 'stopped' || status === 'gone');
    });
    engine = await openLinuxEngine(roots);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await disposeLinuxEngine(engine);
    if (roots) await removeStateRoot(roots);
    await dir?.remove();
  });

  it('adopts a container that kept running: logs follow, exec, stop and wait work', async () => {
    const inspected = await engine!.containers.inspect(ids.running);
    expect(inspected.state.status).toBe('running');
    const controller = new AbortController();
    const seen = new Set<string>();
    for await (const chunk of engine!.containers.logs(ids.running, { follow: true, tail: 1, signal: controller.signal })) {
      for (const line of chunk.data.toString('utf8').split('\n')) if (line) seen.add(line);
      // The tail line and at least one written after the new engine began to follow.
      if (seen.size >= 2) break;
    }
    controller.abort();
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(await execIn(engine!, ids.running, ['cat', '/etc/hostname'])).toEqual({ exitCode: 0, output: `${ids.running.slice(0, 12)}\n` });
    const waited = engine!.containers.wait(ids.running);
    await engine!.containers.stop(ids.running, { timeout: 5 });
    expect(await waited).toEqual({ statusCode: 0 });
    expect((await engine!.containers.inspect(ids.running)).state.status).toBe('exited');
  });

  it('marks a container that died while no engine watched exited, with its exit code', async () => {
    const inspected = await engine!.containers.inspect(ids.dying);
    expect(inspected.state.status).toBe('exited');
    expect(inspected.state.exitCode).toBe(7);
    expect((await engine!.containers.wait(ids.dying)).statusCode).toBe(7);
  });

  it('starts again an always container that died meanwhile', async () => {
    await eventually('the always container to run again', async () => (await engine!.containers.inspect(ids.restarting)).state.status === 'running');
    expect(await execIn(engine!, ids.restarting, ['test', '-f', '/ran'])).toEqual({ exitCode: 0, output: '' });
  });

  it('leaves no mount, cgroup, conmon or runc state once everything is removed', async () => {
    const all = [ids.running, ids.dying, ids.restarting];
    for (const id of all) await engine!.containers.remove(id, { force: true });
    expect(await engine!.containers.list({ all: true })).toEqual([]);
    expect(await engineLeftovers(roots, all)).toEqual(noLeftovers);
  });
});
