import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { createHostDriver, createLinuxHostNet, createMemoryDriver, createNoneDriver } from '@berth/network';
import { type Engine, createEngine } from '@berth/engine';

const run = promisify(execFile);

/** Where one test's engine keeps its data and its volatile state. */
export interface LinuxEngineRoots {
  dataRoot: string;
  /** Short (`/run/bt-<hex>`): conmon's attach socket paths under it must fit in 108 bytes. */
  stateRoot: string;
}

/** Fresh roots: the data root under `parent`, a short private state root under /run. */
export function linuxEngineRoots(parent: string): LinuxEngineRoots {
  return { dataRoot: join(parent, 'data'), stateRoot: `/run/bt-${randomBytes(4).toString('hex')}` };
}

/**
 * Opens the real engine (runc under conmon, overlayfs) on `roots`. Networks use the memory
 * driver under the `bridge` name so nothing is left on the host's network (the bridge
 * driver has its own tests).
 */
export function openLinuxEngine(roots: LinuxEngineRoots): Promise<Engine> {
  return createEngine({
    ...roots,
    networkDrivers: [createMemoryDriver({ type: 'bridge' }), createHostDriver(), createNoneDriver()],
    hostNet: createLinuxHostNet(),
  });
}

/** Loads the busybox fixture into `engine` as `tag`, through a `docker save` archive in `dir`. */
export async function loadBusybox(engine: Engine, dir: string, tag = 'busybox:latest'): Promise<void> {
  const archive = join(dir, `busybox-${randomBytes(3).toString('hex')}.tar`);
  await writeDockerArchive(archive, [{ image: busyboxImage(), tags: [tag] }]);
  await engine.images.load(archive);
  await rm(archive, { force: true });
}

/** Force-removes every container of `engine`, then closes it. Errors are swallowed: this is cleanup. */
export async function disposeLinuxEngine(engine: Engine | undefined): Promise<void> {
  if (!engine) return;
  const containers = await engine.containers.list({ all: true }).catch(() => []);
  await Promise.all(containers.map((c) => engine.containers.remove(c.id, { force: true }).catch(() => undefined)));
  await engine.close().catch(() => undefined);
}

/** What the host still holds of an engine's containers: each list must be empty after removal. */
export interface EngineLeftovers {
  /** Mount points under the data root or the state root (/proc/self/mountinfo). */
  mounts: string[];
  /** cgroup directories named for the containers, in any v1 hierarchy (or v2). */
  cgroups: string[];
  /** conmon processes whose command line names the state root. */
  conmons: number[];
  /** Containers runc still knows under the engine's runc root. */
  runcContainers: string[];
  /** Per-container directories under the state root (bundles, runtime state, sockets). */
  stateEntries: string[];
}

async function listDir(path: string): Promise<string[]> {
  return readdir(path).catch(() => []);
}

async function conmonsOf(stateRoot: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await listDir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const argv = cmdline.split('\0');
    if (argv[0]?.endsWith('conmon') && argv.some((arg) => arg.startsWith(stateRoot))) found.push(Number(entry));
  }
  return found;
}

/** Collects what is left on the host of the containers `ids` of the engine on `roots`. */
export async function engineLeftovers(roots: LinuxEngineRoots, ids: readonly string[]): Promise<EngineLeftovers> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const mounts = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${roots.dataRoot}/`) || point.startsWith(`${roots.stateRoot}/`));
  const cgroups: string[] = [];
  for (const hierarchy of await listDir('/sys/fs/cgroup')) {
    for (const id of ids) {
      const path = join('/sys/fs/cgroup', hierarchy, 'berth', id);
      if (existsSync(path)) cgroups.push(path);
    }
  }
  const runcRoot = join(roots.stateRoot, 'runtime', 'runc');
  let runcContainers: string[] = [];
  if (existsSync(runcRoot)) {
    const { stdout } = await run('runc', ['--root', runcRoot, 'list', '-q']);
    runcContainers = stdout.split('\n').filter((line) => line !== '');
  }
  const stateEntries: string[] = [];
  for (const dir of ['containers', 'runtime/containers', 'runtime/sockets', 'runtime/exits', 'runtime/runc']) {
    for (const entry of await listDir(join(roots.stateRoot, dir))) {
      if (ids.includes(entry)) stateEntries.push(join(dir, entry));
    }
  }
  return { mounts, cgroups, conmons: await conmonsOf(roots.stateRoot), runcContainers, stateEntries };
}

/** Nothing left: what {@link engineLeftovers} returns once everything is removed. */
export const noLeftovers: EngineLeftovers = { mounts: [], cgroups: [], conmons: [], runcContainers: [], stateEntries: [] };

/** Removes the state root (after the engine is closed and its containers removed). */
export async function removeStateRoot(roots: LinuxEngineRoots): Promise<void> {
  await rm(roots.stateRoot, { recursive: true, force: true });
}

/** Everything a stream of log chunks carries, as text. */
export async function textOf(chunks: AsyncIterable<{ data: Buffer }>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk.data.toString('utf8');
  return text;
}

/** Runs `cmd` in running container `id`; resolves to its exit code and output. */
export async function execIn(engine: Engine, id: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const exec = await engine.containers.exec(id, { cmd });
  const session = await engine.containers.execStart(exec.id);
  const output = await textOf(session.output);
  return { exitCode: await session.exit, output };
}
