import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../lib/process.js';

/** A runc bundle of busybox with `args` as its process, and a private runc state root. */
export interface RuncBundle {
  readonly bundle: string;
  readonly runcRoot: string;
}

/**
 * Unpacks the busybox `docker save` archive once into `<dir>/bundle/rootfs` (GNU tar, the
 * one layer) and writes `runc spec`'s default config.json with `args`, no terminal — the
 * same rootfs for every run (runc mounts nothing over it but /proc, /dev, /sys: a
 * container of `true` leaves it as it was).
 */
export async function prepareRuncBundle(dir: string, archive: string, args: string[]): Promise<RuncBundle> {
  const bundle = join(dir, 'bundle');
  const rootfs = join(bundle, 'rootfs');
  const unpacked = join(dir, 'archive');
  const runcRoot = join(dir, 'runc-root');
  await mkdir(rootfs, { recursive: true });
  await mkdir(unpacked, { recursive: true });
  await mkdir(runcRoot, { recursive: true });
  await runCommand('tar', ['-xf', archive, '-C', unpacked]);
  const manifest = JSON.parse(await readFile(join(unpacked, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
  for (const layer of manifest[0]?.Layers ?? []) await runCommand('tar', ['-xf', join(unpacked, layer), '-C', rootfs]);
  await runCommand('runc', ['spec'], { cwd: bundle });
  const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { process: { args: string[]; terminal: boolean } };
  config.process.args = args;
  config.process.terminal = false;
  await writeFile(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  return { bundle, runcRoot };
}

let runs = 0;

/** `runc --root <root> run -b <bundle> <id>`: create, start, wait and delete in one command. Resolves with its wall time in ms. */
export async function runcRun(bundle: RuncBundle): Promise<number> {
  const id = `bench-${process.pid}-${runs++}`;
  const start = performance.now();
  await runCommand('runc', ['--root', bundle.runcRoot, 'run', '-b', bundle.bundle, id]);
  return performance.now() - start;
}

/** One bare runc lifecycle done command by command, each timed (ms). */
export interface RuncSteps {
  /** `runc create` (namespaces, mounts, cgroup, `runc init` waiting on the exec fifo). */
  createMs: number;
  /** `runc state` of the created container: the cost of one runc command that does nearly nothing. */
  stateMs: number;
  /** `runc start` (opens the exec fifo: the process runs). */
  startMs: number;
  /** `runc delete` once the process has exited. */
  deleteMs: number;
}

/** Runs a runc command with all stdio closed (the container would otherwise hold our pipes); resolves with ms, rejects on failure. */
function timedRunc(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('runc', args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`runc ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * The same container as {@link runcRun}, step by step: `runc create`, `runc state`,
 * `runc start`, then (untimed) polling `runc state` until it is stopped, and `runc delete`.
 * Shows what each runc command costs on this machine — Berth's runtime runs them one by one.
 */
export async function runcSteps(bundle: RuncBundle): Promise<RuncSteps> {
  const id = `bench-${process.pid}-${runs++}`;
  const root = ['--root', bundle.runcRoot];
  const createMs = await timedRunc([...root, 'create', '-b', bundle.bundle, id]);
  try {
    const stateMs = await timedRunc([...root, 'state', id]);
    const startMs = await timedRunc([...root, 'start', id]);
    for (let i = 0; i < 500; i++) {
      const { stdout } = await runCommand('runc', [...root, 'state', id]);
      if ((JSON.parse(stdout) as { status: string }).status === 'stopped') break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const deleteMs = await timedRunc([...root, 'delete', id]);
    return { createMs, stateMs, startMs, deleteMs };
  } catch (err) {
    await runCommand('runc', [...root, 'delete', '--force', id], { allowFailure: true });
    throw err;
  }
}
